"""Stop a dev/prod command before Terraform when there are no usable AWS credentials, or they are another account's.

``python scripts/check_credentials.py --env ENV --tfvars environments/ENV/terraform.tfvars`` calls
``sts:GetCallerIdentity`` with the default credential chain (what Terraform's provider would use) and compares the
account with the tfvars' ``account_id``. Exit 0 when they match; otherwise one message saying what was looked for,
how to provide it, and the offline alternative.
"""

import argparse
import re
import sys
from pathlib import Path

import boto3
from botocore.exceptions import BotoCoreError, ClientError

HOW = (
    "Provide credentials of that account in one of the ways the AWS SDKs read them:\n"
    "  - a profile:  export AWS_PROFILE=<profile>   (aws configure --profile <profile>)\n"
    "  - SSO:        aws sso login --profile <profile> && export AWS_PROFILE=<profile>\n"
    "  - in CI:      GitHub OIDC with the environment's deployer role (docs/security.md)\n"
    "Without AWS, plan this environment offline against the emulator: make plan ENV={env} EMULATOR=1"
)


def expected_account(tfvars: Path) -> str:
    found = re.search(r'^account_id\s*=\s*"(\d{12})"', tfvars.read_text(), re.MULTILINE)
    if not found:
        raise SystemExit(f"error: {tfvars} names no account_id (a 12-digit AWS account id)")
    return found.group(1)


def caller_account() -> tuple[str | None, str]:
    """(account, None) of the credentials the default chain finds, or (None, why not)."""
    try:
        identity = boto3.client("sts").get_caller_identity()
    except (BotoCoreError, ClientError) as error:
        return None, str(error)
    return str(identity["Account"]), str(identity["Arn"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--env", required=True)
    parser.add_argument("--tfvars", type=Path, required=True)
    args = parser.parse_args(argv)
    expected = expected_account(args.tfvars)
    account, detail = caller_account()
    if account is None:
        print(
            f"error: no usable AWS credentials for ENV={args.env} (account {expected}).\n"
            f"Looked for: the AWS SDK's default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, SSO, web "
            f"identity, instance metadata) and asked sts:GetCallerIdentity: {detail}\n" + HOW.format(env=args.env),
            file=sys.stderr,
        )
        return 2
    if account != expected:
        print(
            f"error: the AWS credentials found belong to account {account} ({detail}), but ENV={args.env} lives in "
            f"account {expected} ({args.tfvars}). Nothing was planned or changed.\n" + HOW.format(env=args.env),
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
