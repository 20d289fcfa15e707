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


@main.command("create-user")
@click.argument("email")
@click.option("--name", required=True, help="The person's full name, as colleagues know them.")
@click.option("--role", required=True, type=click.Choice(["licensing_officer", "enforcement_officer",
                                                          "authority_admin", "operator"]))
@click.option("--authority", "authority_code", help="Their licensing authority's code (not for the operator).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Their first password (asked for if not given); at least 12 characters.")
def create_user(email: str, name: str, role: str, authority_code: str | None, password: str) -> None:
    """Create an officer's account: the first admin of an authority, or the national operator.
    Admins then add their colleagues from the pages."""
    from licensing.actors import Actor
    from licensing.services.users import create_user as create

    app = _crosscheck()
    with app.unit_of_work() as uow:
        user = _domain(lambda: create(uow, Actor.service(), email=email, name=name, role=role,
                                      authority_code=authority_code.upper() if authority_code else None,
                                      password=password))
    click.echo(f"User {user.email} created ({role}{', ' + user.authority_code if user.authority_code else ''}).")


@main.command("import-feed")
@click.argument("authority_code")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Read, map, check and reconcile the feed, say what it would do, "
                                              "and change nothing.")
def import_feed(authority_code: str, file: Path, dry_run: bool) -> None:
    """Import FILE (CSV, JSON or an .xlsx workbook: the same formats as the feeds API) as
    AUTHORITY_CODE's full current register, and apply it now, exactly as a pushed feed would be
    applied, through the authority's feed mapping."""
    from licensing.feeds.sniff import CSV, EXTENSIONS
    from licensing.services import feeds, pipeline

    app = _crosscheck()
    code = authority_code.upper()
    content_type = EXTENSIONS.get(file.suffix.lower(), CSV)
    body = file.read_bytes()
    if dry_run:
        with app.unit_of_work(write=False) as uow:
            result = _domain(lambda: feeds.dry_run_feed(uow, authority_code=code, body=body, content_type=content_type,
                                                        hold_share=app.settings.feed_hold_share))
        counts = result["counts"]
        click.echo(f"Dry run, nothing changed. The feed would be {result['outcome']} — added {counts['added']}, "
                   f"changed {counts['changed']}, unchanged {counts['unchanged']}, ended {counts['ended']}, "
                   f"rejected rows {counts['rejected']}")
        _echo_outcome(result["message"], result["interpreted"], result["problems"], result["problem_count"])
        return
    with app.unit_of_work() as uow:
        feed_id = _domain(lambda: feeds.receive_feed(
            uow, authority_code=code, body=body, content_type=content_type, source="import"))
    click.echo(f"Feed {feed_id} received; applying...")
    with _progress_bar(len(body)) as progress:
        report = pipeline.process_feeds(app, authority_code=code, progress=progress)
    _echo_feeds(app, report.feeds)


def _echo_feeds(app, outcomes) -> None:
    """Each applied feed's outcome, counts and first row errors, as the importer needs them."""
    from licensing.store.models import Feed

    for outcome in outcomes:
        with app.unit_of_work(write=False) as uow:
            feed = uow.session.get(Feed, outcome.feed_id)
            click.echo(f"Feed {feed.id}: {feed.status} — added {feed.added}, changed {feed.changed}, "
                       f"unchanged {feed.unchanged}, ended {feed.ended}, rejected rows {feed.rejected}")
            problems = feed.problems or []
            _echo_outcome(feed.message, feed.interpreted or {}, problems, len(problems),
                          more=f"GET /api/v1/feeds/{feed.id}")


def _echo_outcome(message: str | None, interpreted: dict, problems: list[dict], problem_count: int, *,
                  more: str = "send the feed for real and read it") -> None:
    if message:
        click.echo(f"  {message}")
    if interpreted:
        click.echo("  Values interpreted: " + ", ".join(f"{name} {count}" for name, count in interpreted.items()))
    errors = [p for p in problems if p["severity"] == "error"]
    for problem in errors[:20]:
        click.echo(f"  row {problem['row']}, {problem['field']}: {problem['message']}")
    if problem_count > len(errors[:20]):
        click.echo(f"  ... {problem_count - len(errors[:20])} more problems ({more})")


@main.command("set-feed-mapping")
@click.argument("authority_code")
@click.argument("file", type=click.File("rb"))
def set_feed_mapping(authority_code: str, file) -> None:
    """Save AUTHORITY_CODE's feed mapping from FILE (JSON, as for PUT /api/v1/authorities/CODE/feed-mapping:
    {"columns": {"Licence No": "licence_number"}, "values": {"status": {"Current": "active"}}}).
    Every later feed from the authority is read through it. Use - to read standard input."""
    import json

    from licensing.actors import Actor
    from licensing.services.feed_mappings import save_feed_mapping

    try:
        document = json.loads(file.read())
    except ValueError as error:
        click.echo(f"Error: the mapping file is not JSON: {error}", err=True)
        sys.exit(2)
    app = _crosscheck()
    with app.unit_of_work() as uow:
        saved = _domain(lambda: save_feed_mapping(uow, Actor.service(), authority_code.upper(), document))
    click.echo(f"Feed mapping saved for {authority_code.upper()}: {len(saved['columns'])} column names, "
               f"{sum(len(codes) for codes in saved['values'].values())} codes.")


@main.command("import-decisions")
@click.argument("authority_code")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_decisions(authority_code: str, file: Path) -> None:
    """Import FILE (CSV, the decisions feed's columns) as AUTHORITY_CODE's historic decisions (up
    to 11 years) and apply it now, exactly as a decisions feed would be applied."""
    from licensing.services import feeds, pipeline

    app = _crosscheck()
    with app.unit_of_work() as uow:
        feed_id = _domain(lambda: feeds.receive_feed(
            uow, authority_code=authority_code.upper(), body=file.read_bytes(), content_type="text/csv",
            source="import", kind=feeds.DECISIONS))
    click.echo(f"Decisions feed {feed_id} received; applying...")
    report = pipeline.process_feeds(app, authority_code=authority_code.upper())
    _echo_feeds(app, report.feeds)


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


@main.group("identity")
def identity() -> None:
    """The match model that decides which records are the same person: estimate one from the
    register, see the versions, adopt one (docs/matching.md)."""


@identity.command("estimate")
@click.option("--seed", default=0, show_default=True, help="Seed of the random pairs u is estimated from.")
def identity_estimate(seed: int) -> None:
    """Estimate the match model from the live register (no labels: EM over blocked pairs, name
    frequencies counted) and store it as a new version with its diagnostics and what it would
    change. Nothing changes until the version is adopted."""
    import json

    from licensing.services.identity_model import estimate_from_register

    estimated = _domain(lambda: estimate_from_register(_crosscheck(), by="operator (command line)", seed=seed))
    click.echo(f"Model version {estimated.version} estimated from {estimated.records} driver records.")
    click.echo(json.dumps(estimated.diagnostics, indent=2))
    changes = estimated.changes
    click.echo(f"Against the model in use ({estimated.compared_with}): {changes['links_added']} record pairs "
               f"would be linked, {changes['links_removed']} unlinked, {changes['sent_to_review']} sent to review "
               f"({changes['in_review']} in review in all).")
    click.echo(f"Adopt it with: crosscheck identity adopt {estimated.version}")


@identity.command("models")
def identity_models() -> None:
    """List the estimated model versions, newest first, and which is in use."""
    import json

    from licensing.services.identity_model import model_versions

    click.echo(json.dumps(model_versions(_crosscheck()), indent=2))


@identity.command("adopt")
@click.argument("version", type=int)
def identity_adopt(version: int) -> None:
    """Put model VERSION in use and re-resolve the whole register with it. Officers' decisions
    still bind; every link records the version that made it."""
    from licensing.services.identity_model import adopt_model

    report = _domain(lambda: adopt_model(_crosscheck(), version, by="operator (command line)"))
    click.echo(f"Model version {version} is in use; {report.records} records re-resolved, "
               f"{report.licences_moved} licences moved to another driver, {report.drivers_created} drivers created.")


def _domain(action):
    try:
        return action()
    except DomainError as error:
        click.echo(f"Error: {error.message}", err=True)
        for detail in error.details[1:]:
            click.echo(f"  {detail.get('message', detail)}", err=True)
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
