"""The `geotag` command line: click only, a thin layer over the library. One module per
command (`tag`, `evaluate`, `gazetteer`, `corpus`), options declared once (`options`), one
run loop (`runner`), `--cluster`'s way into geotag.dask (`cluster`) and one place where
errors become exit statuses (`status`)."""

from __future__ import annotations

from typing import Any

import click

from .._version import __version__
from .corpus import corpus_command
from .evaluate import evaluate_command
from .examples import examples
from .explain import check_overrides_command, explain_command
from .gazetteer import gazetteer_group
from .status import errors_become_exits
from .tag import tag_command
from .terminal import Terminal


class DefaultGroup(click.Group):
    """A group whose default command runs when the first argument names no command,
    so `geotag article.txt` means `geotag tag article.txt`."""

    default_command = "tag"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        completing_first_word = ctx.resilient_parsing and not args
        if not completing_first_word and (
            not args
            or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"))
        ):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> object:
        with errors_become_exits():
            return super().invoke(ctx)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[Any]:
        """The first word completes to a command name or to what the default command takes."""
        command = self.commands[self.default_command]
        sub = command.make_context(self.default_command, [], parent=ctx, resilient_parsing=True)
        return [*super().shell_complete(ctx, incomplete), *command.shell_complete(sub, incomplete)]

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        command = self.commands[self.default_command]
        sub = click.Context(command, info_name=ctx.info_name, parent=ctx.parent)
        command.format_usage(sub, formatter)
        command.format_help_text(sub, formatter)
        click.Command.format_options(command, sub, formatter)
        self.format_commands(ctx, formatter)
        self.format_epilog(ctx, formatter)


@click.group(
    name="geotag",
    cls=DefaultGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=examples(
        "geotag examples/idlib-ceasefire.txt",
        "geotag -r news/ -j 0 -f jsonl > tagged.jsonl",
        "geotag gazetteer lookup Paris --prefer-country US",
        before="Exit codes: 0 all inputs tagged, 1 some input failed, 2 usage error, "
        "130 interrupted. Docs: README.md.",
    ),
)
@click.version_option(__version__, "--version", prog_name="geotag")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Find the people, organisations and places in news text and resolve every place."""
    ctx.obj = Terminal.detect()


cli.add_command(tag_command)
cli.add_command(evaluate_command)
gazetteer_group.add_command(explain_command)
gazetteer_group.add_command(check_overrides_command)
cli.add_command(gazetteer_group)
cli.add_command(corpus_command)


def main() -> None:
    cli(prog_name="geotag")


__all__ = ["cli", "main"]
