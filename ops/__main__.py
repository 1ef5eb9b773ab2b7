"""``python -m ops --outputs build/outputs-<env>.json logs|stop|retry|redrive|console …`` (the Make targets
`make logs`, `make stop`, `make retry`, `make redrive`, `make console` call this). stdout carries the answer;
a refusal is one line on stderr and exit status 2."""

import argparse
import sys
from pathlib import Path

from scripts import workloads

from ops import logs, steering


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops", description=__doc__.split("\n", 1)[0])
    parser.add_argument("--outputs", type=Path, required=True, help="JSON of the environment's root outputs")
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("logs", "stop", "retry"):
        command = commands.add_parser(name)
        command.add_argument("--execution", required=True, help="DurableExecutionArn")
    commands.choices["retry"].add_argument(
        "--qualifier", help="version or alias to run the retry on (default: the version the execution ran on)"
    )
    commands.add_parser("redrive").add_argument("--queue", required=True, help="dead-letter queue: name or URL")
    console = commands.add_parser("console")
    console.add_argument("--port", type=int, default=4580, help="port on 127.0.0.1")
    console.add_argument("--pid-file", type=Path, help="write the server's pid here while it runs")
    args = parser.parse_args(argv)

    outputs = workloads.read_outputs(args.outputs)
    try:
        if args.command == "logs":
            prefix = f"{outputs.get('environment', '')}-"
            print(logs.format_lines(logs.execution_lines(outputs, args.execution), prefix))
        elif args.command == "stop":
            print(f"{args.execution}: {steering.stop(outputs, args.execution)}")
        elif args.command == "retry":
            retried = steering.retry(outputs, args.execution, args.qualifier)
            print(f"retry {retried.name} of {retried.function}:{retried.qualifier}", file=sys.stderr)
            print(retried.execution_arn)
        elif args.command == "redrive":
            moved = steering.redrive(outputs, args.queue)
            print(
                f"moved {moved.moved} message(s) to {moved.source_queue} ({moved.method}); "
                f"{moved.left} left on the dead-letter queue"
            )
        else:
            from ops.console.server import serve  # noqa: PLC0415 - Flask only for the console

            serve(outputs, args.port, args.pid_file)
    except steering.Refused as refusal:
        print(f"error: {refusal}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
