"""Session credentials of a deployer role in the local emulator, assumed as GitHub Actions assumes it.

``python scripts/deployer_credentials.py --role plan|apply --outputs <terraform/deployer outputs JSON> --out FILE``
builds a GitHub-shaped OIDC token (issuer token.actions.githubusercontent.com, audience sts.amazonaws.com, the
first subject the role trusts), calls ``sts:AssumeRoleWithWebIdentity`` at AWS_ENDPOINT_URL and writes the session
to an AWS shared-credentials FILE under the profile named after the role (``make plan ENV=local AS=…`` points
Terraform at it). The emulator evaluates the role's trust policy on the token's claims but does not verify the
token's signature, so the token is unsigned: this works against the emulator only, never against AWS.
"""

import argparse
import base64
import configparser
import json
import sys
from pathlib import Path

import boto3
from botocore import UNSIGNED
from botocore.config import Config

ISSUER = "https://token.actions.githubusercontent.com"


def _segment(document: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).decode().rstrip("=")


def github_token(subject: str) -> str:
    """An unsigned JWT with the claims GitHub's OIDC token carries for ``subject``."""
    claims = {"iss": ISSUER, "aud": "sts.amazonaws.com", "sub": subject}
    return f"{_segment({'alg': 'none', 'typ': 'JWT'})}.{_segment(claims)}."


def assume(role_arn: str, subject: str) -> dict[str, str]:
    # AssumeRoleWithWebIdentity is unsigned: the token is the credential.
    sts = boto3.client("sts", config=Config(signature_version=UNSIGNED))
    session = sts.assume_role_with_web_identity(
        RoleArn=role_arn, RoleSessionName="local-deployer", WebIdentityToken=github_token(subject)
    )["Credentials"]
    return {
        "aws_access_key_id": session["AccessKeyId"],
        "aws_secret_access_key": session["SecretAccessKey"],
        "aws_session_token": session["SessionToken"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--role", choices=["plan", "apply"], required=True)
    parser.add_argument("--outputs", type=Path, required=True, help="terraform output -json of terraform/deployer")
    parser.add_argument("--out", type=Path, required=True, help="AWS shared-credentials file to write")
    args = parser.parse_args(argv)
    outputs = {name: entry["value"] for name, entry in json.loads(args.outputs.read_text()).items()}
    credentials = configparser.ConfigParser()
    credentials[args.role] = assume(outputs[f"{args.role}_role_arn"], outputs["oidc_subjects"][args.role][0])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w") as out:
        credentials.write(out)
    print(f"credentials of the {args.role} role: {args.out} (profile {args.role})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
