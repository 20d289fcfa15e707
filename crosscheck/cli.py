"""The `crosscheck` command: set up, load the demo, serve the API, run the jobs worker, manage keys
and import feeds. Each command is a thin wrapper around the same services the API and jobs use."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

import click

from licensing.bootstrap import Crosscheck
from licensing.errors import DomainError
from licensing.logs import configure_logging


def _crosscheck() -> Crosscheck:
    return Crosscheck()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Crosscheck: the cross-authority taxi and private hire licensing register.

    Settings come from the environment: DATABASE_URL (default: SQLite under var/), CROSSCHECK_VAR_DIR,
    and the others listed in the README."""
    configure_logging("WARNING")


@main.command("init-db")
def init_db() -> None:
    """Create or upgrade the database schema to the latest migration and load the reference data
    (licensing authorities; the postcode index under var/reference)."""
    from licensing.reference.postcodes import build_postcode_index
    from licensing.services.authorities import load_reference_authorities
    from licensing.store.migrate import upgrade_to_head

    app = _crosscheck()
    app.settings.var_dir.mkdir(parents=True, exist_ok=True)
    upgrade_to_head(app.engine)
    with app.unit_of_work() as uow:
        added = load_reference_authorities(uow)
    index = build_postcode_index(app.settings.reference_dir)
    click.echo(f"Database at head; {added} licensing authorities added; postcode index {index.name} ready.")


@main.command("create-api-key")
@click.argument("authority_code")
@click.option("--label", default="", help="A note saying whose system uses the key.")
def create_api_key(authority_code: str, label: str) -> None:
    """Create an API key for AUTHORITY_CODE (an ONS council code such as E08000031, or TFL) and
    print it. Use OPERATOR for a service-operator key. The key is shown once and stored only as a hash."""
    from licensing.services.api_keys import create_api_key as create

    app = _crosscheck()
    code = None if authority_code.upper() == "OPERATOR" else authority_code.upper()
    with app.unit_of_work() as uow:
        key = _domain(lambda: create(uow, code, label=label))
    click.echo(key)


@main.command("import-feed")
@click.argument("authority_code")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_feed(authority_code: str, file: Path) -> None:
    """Import FILE (CSV or JSON: the same format as the feeds API) as AUTHORITY_CODE's full
    current register, and apply it now, exactly as a pushed feed would be applied."""
    from licensing.services import feeds, pipeline
    from licensing.store.models import Feed

    app = _crosscheck()
    content_type = "application/json" if file.suffix.lower() == ".json" else "text/csv"
    body = file.read_bytes()
    with app.unit_of_work() as uow:
        feed_id = _domain(lambda: feeds.receive_feed(
            uow, authority_code=authority_code.upper(), body=body, content_type=content_type, source="import"))
    click.echo(f"Feed {feed_id} received; applying...")
    with _progress_bar(len(body)) as progress:
        report = pipeline.process_feeds(app, authority_code=authority_code.upper(), progress=progress)
    for outcome in report.feeds:
        with app.unit_of_work(write=False) as uow:
            feed = uow.session.get(Feed, outcome.feed_id)
            click.echo(f"Feed {feed.id}: {feed.status} — added {feed.added}, changed {feed.changed}, "
                       f"unchanged {feed.unchanged}, ended {feed.ended}, rejected rows {feed.rejected}")
            if feed.message:
                click.echo(f"  {feed.message}")
            errors = [p for p in feed.problems or [] if p["severity"] == "error"]
            for problem in errors[:20]:
                click.echo(f"  row {problem['row']}, {problem['field']}: {problem['message']}")
            if len(errors) > 20:
                click.echo(f"  ... and {len(errors) - 20} more row errors (GET /api/v1/feeds/{feed.id})")


@main.command("set-authority")
@click.argument("authority_code")
@click.option("--enforcement-email", help="Where alerts for the enforcement team go.")
@click.option("--licensing-email", help="Where alerts for the licensing team go; shown to other authorities as whom to ask.")
@click.option("--alert-digest", type=click.Choice(["daily", "immediate"]),
              help="Whether non-urgent findings come in a daily digest or each at once.")
@click.option("--feed-url", help="Address where the authority publishes its register (pulled feeds); '' to stop.")
@click.option("--pull-every", "feed_pull_minutes", type=int, help="Minutes between pulls of the published register.")
def set_authority(authority_code: str, **options) -> None:
    """Change AUTHORITY_CODE's settings: team email addresses, alert digest, pulled feed."""
    from licensing.actors import Actor
    from licensing.services.authorities import authority_settings, update_authority_settings

    changes = {name: value for name, value in options.items() if value is not None}
    app = _crosscheck()
    with app.unit_of_work() as uow:
        authority = _domain(lambda: update_authority_settings(uow, Actor.service(),
                                                              authority_code.upper(), changes))
        for name, value in authority_settings(uow, authority).items():
            click.echo(f"{name}: {'' if value is None else value}")


@main.command("status")
@click.option("--json", "as_json", is_flag=True, help="Only the JSON (as GET /api/v1/status answers).")
def status(as_json: bool) -> None:
    """Show what the operator watches: the jobs worker's heartbeat and late jobs, each job's last
    run, the email outbox (failed messages included), alerts held for authorities without an email
    address, feeds waiting, and authorities whose feeds have gone quiet. Exits with 1 when no
    scheduler is beating, so a monitor can run it."""
    import json

    from licensing.services.operations import service_status, status_summary

    report = service_status(_crosscheck())
    if not as_json:
        for line in status_summary(report):
            click.echo(line)
        click.echo("")
    click.echo(json.dumps(report, indent=2, default=str))
    if not report["scheduler"]["healthy"]:
        sys.exit(1)


@main.command("retry-email")
@click.argument("outbox_id", type=int)
def retry_email(outbox_id: int) -> None:
    """Send a failed email (listed by `crosscheck status`) again, once whatever made it fail is put right."""
    from licensing.services.outbox import retry_failed_email

    app = _crosscheck()
    with app.unit_of_work() as uow:
        _domain(lambda: retry_failed_email(uow, outbox_id))
    click.echo(f"Email {outbox_id} is queued to be sent again.")


@main.command("demo")
@click.option("--seed", default=7, show_default=True, help="Seed of the synthetic register.")
def demo(seed: int) -> None:
    """Load a realistic synthetic register for a handful of authorities (never real people) and
    print an API key for each of them and one for the operator."""
    from licensing.services.demo import load_demo

    app = _crosscheck()
    for line in load_demo(app, seed=seed, progress=click.echo):
        click.echo(line)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
@click.option("--workers", default=2, show_default=True, help="gunicorn worker processes.")
@click.option("--threads", type=int, help="Threads per worker (default: 1 on SQLite, 4 on PostgreSQL).")
def serve(host: str, port: int, workers: int, threads: int | None) -> None:
    """Serve the JSON API and the officers' pages with gunicorn (the production server)."""
    from api.server import default_threads, run_gunicorn

    configure_logging("INFO")
    run_gunicorn(host=host, port=port, workers=workers,
                 threads=threads or default_threads(_crosscheck().settings.database_url))


@main.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
@click.option("--workers", default=2, show_default=True, help="gunicorn worker processes.")
def run(host: str, port: int, workers: int) -> None:
    """Serve the API and run the jobs worker together (what `make run` does). A jobs worker that
    stops is restarted, with a log line saying how it ended; one that keeps stopping stops the web
    service too. Ctrl-C stops both."""
    from crosscheck.supervise import Supervisor, service_commands

    configure_logging("INFO")
    sys.exit(Supervisor(*service_commands(host=host, port=port, workers=workers)).run())


@main.command("jobs")
def jobs() -> None:
    """Run the scheduled-jobs worker in this process (apply and pull feeds, and the rest of the
    schedule in jobs/schedule.py). Only one worker runs at a time; a second waits to take over."""
    from jobs.worker import run_worker

    configure_logging("INFO")
    run_worker(_crosscheck())


def _domain(action):
    try:
        return action()
    except DomainError as error:
        click.echo(f"Error: {error.message}", err=True)
        sys.exit(2)


@contextmanager
def _progress_bar(feed_bytes: int):
    """A bar of licence records written, for files large enough to take a while (over 1 MB)."""
    from tqdm import tqdm

    with tqdm(unit=" records", desc="applying", disable=feed_bytes < 1024 * 1024, file=sys.stderr) as bar:
        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        yield progress
