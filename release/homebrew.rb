# The Homebrew formula of @NAME@ @VERSION@, written by release/release.py for its GitHub release
# (docs/install.md#homebrew-macos). Each resource is a package of the lock (constraints.txt) as
# Homebrew's Python 3.13 on macOS needs it (release/pylock.homebrew.toml), sdist and hash.
class @CLASS@ < Formula
  include Language::Python::Virtualenv

  desc "Temporary AWS credentials from an MFA code, kept in ~/.aws/credentials"
  homepage "https://github.com/@REPOSITORY@"
  url "@SDIST_URL@"
  sha256 "@SDIST_SHA256@"
  license "MIT"

  depends_on "libyaml"
  depends_on :macos
  depends_on "python@3.13"

@RESOURCES@

  def install
    virtualenv_install_with_resources
    man1.install "man/aws-mfa.1"
  end

  test do
    assert_match version.to_s, shell_output("#{bin}/aws-mfa --version")
    assert_match "usage: aws-mfa", shell_output("#{bin}/aws-mfa --help")
  end
end
