"""Officers' pages. For now a home page that says what the service is and where the API lives."""

from flask import Blueprint, render_template_string

pages = Blueprint("pages", __name__)
pages.unauthenticated = True

_HOME = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Crosscheck</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: Arial, sans-serif; max-width: 40em; margin: 2em auto; line-height: 1.5">
<h1>Crosscheck</h1>
<p>The shared register of taxi and private hire driver licences across Great Britain's licensing authorities.</p>
<p>Authorities' systems send their licence registers to the JSON API at <code>/api/v1</code>
(see <a href="/api/v1/openapi.yaml">the API contract</a>). Officers' pages are coming.</p>
</body></html>"""


@pages.get("/")
def home():
    return render_template_string(_HOME)
