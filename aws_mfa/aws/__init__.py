"""What AWS tools read and do: the config file's profiles, what a credentials section is,
which credential source the AWS CLI and SDKs use first, and STS.

- :mod:`~aws_mfa.aws.config_file`: the AWS config file's profiles, named as botocore names them;
- :mod:`~aws_mfa.aws.sections`: what a credentials section is (a session, long-term
  keys, a role session, another tool's), in one place;
- :mod:`~aws_mfa.aws.precedence`: what makes the AWS CLI and SDKs take their
  credentials from elsewhere than what aws-mfa writes;
- :mod:`~aws_mfa.aws.login_sessions`: the profiles ``aws login`` signed in, and when
  their cached credentials expire (nothing else of the AWS CLI's cache is read);
- :mod:`~aws_mfa.aws.sts`: calls to STS through botocore (imported on renewals only).

It is a layer of docs/architecture.md (checked by ``tests/test_layers.py``):
it may import :mod:`aws_mfa.files` and the foundation, nothing above. It knows
nothing of aws-mfa's settings.
"""
