"""`geotag gazetteer explain` and `geotag gazetteer check-overrides`: why a name goes where
it goes in a context, and what a corrections file's rules do to a text."""

from __future__ import annotations

from dataclasses import replace
from typing import IO, TYPE_CHECKING

import click

from .examples import examples
from .options import format_option, pipeline_option, pipeline_options
from .runner import load_pipeline
from .terminal import Terminal, terminal_option

if TYPE_CHECKING:
    from ..options import PipelineOptions

REPORT_FORMATS = ("table", "json")


@click.command(
    "explain",
    epilog=examples(
        "geotag gazetteer explain Paris --context 'Storms hit Dallas and Tyler, Texas.'",
        "geotag gazetteer explain Georgia --context 'Tbilisi and Moscow traded blame.'",
        "geotag gazetteer explain Springfield -f json",
    ),
)
@click.argument("name")
@click.option(
    "--context",
    metavar="TEXT",
    default="",
    help="A story's text to resolve NAME in (NAME is added after it when it does not "
    "occur in it); without it, the name alone.",
)
@pipeline_options
@format_option(REPORT_FORMATS)
@terminal_option
def explain_command(
    name: str, context: str, pipeline: PipelineOptions, fmt: str | None, terminal: Terminal
) -> None:
    """Explain where NAME goes in a context: the rule that decided and every candidate's
    score and features.

    NAME counts as a place wherever it occurs in the context; the context's other places
    are found as in a run and are the evidence NAME is scored against (--explain is
    implied).
    """
    from ..engine.explain import explain_name
    from ..formats.explain_commands import write_name_explanation

    if not name.strip():
        raise click.BadParameter("the name is empty", param_hint="'NAME'")
    loaded = load_pipeline(replace(pipeline, explain=True))
    _, mentions = explain_name(loaded, name, context)
    write_name_explanation(name, context, mentions, terminal.report(fmt))


@click.command(
    "check-overrides",
    epilog=examples(
        "geotag gazetteer check-overrides corrections.toml",
        "geotag gazetteer check-overrides corrections.toml --text story.txt",
        "geotag gazetteer check-overrides corrections.toml --text story.txt -f json",
    ),
)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--text",
    "text_path",
    metavar="FILE",
    type=click.File("r", encoding="utf-8"),
    help="A story ('-' for stdin): list which rules fire on it, and why the others do not.",
)
@pipeline_option("model")
@pipeline_option("gazetteer")
@format_option(REPORT_FORMATS)
@terminal_option
def check_overrides_command(
    file: str,
    text_path: IO[str] | None,
    model: str,
    gazetteer: str | None,
    fmt: str | None,
    terminal: Terminal,
) -> None:
    """Check a corrections FILE (as --overrides reads it) and, with --text, show what each
    rule does to a story.

    A fault is one line naming the file and line (exit 2). A rule that matches nothing in
    the text is listed as such: it is not an error.
    """
    from ..engine.explain import check_rules
    from ..formats.explain_commands import write_rule_checks
    from ..gazetteer import Gazetteer
    from ..gazetteer.overrides import load_overrides
    from ..options import PipelineOptions
    from ..tagging.corrections import check_overrides

    rules = load_overrides(file)
    text = text_path.read() if text_path is not None else None
    if text is None:
        check_overrides(rules, Gazetteer.load(gazetteer))
        checks = check_rules(None, rules, None)
    else:
        loaded = load_pipeline(PipelineOptions(model, gazetteer))
        check_overrides(rules, loaded.tagger.gazetteer)
        checks = check_rules(loaded, rules, text)
    write_rule_checks(file, checks, terminal.report(fmt))
