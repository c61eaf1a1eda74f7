"""``kztj ingest``: an article becomes sourced draft events and figures for a person to finish.

One job per module: ``sentences`` (verbatim spans), ``dates`` (relative dates against the
publication date, with the reason in words), ``numbers`` (values, units, target or outcome, the
metric), ``entities`` (actors, place, tags), ``relations`` (against the store), ``draft`` (YAML
and JSON), ``page`` (an HTML page's main text, with the optional trafilatura), ``passage`` (one
sentence the browser's reader chose, appended to a draft file) and ``run`` (the command).
Headless: nothing here imports Textual.
"""
