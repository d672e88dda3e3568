"""`annotator serve`: the annotate and review screens in a browser, one secret link per person.

- `access`: who may open what (tokens, the links file a lead can edit to revoke a link);
- `server`: the web server (aiohttp and textual-serve's app processes), checking the token
  on every request;
- `session`: what each browser connection runs, so that a refusal shows in the page.

Unlike the rest of the code, this room needs the `serve` extra (textual-serve, aiohttp).
"""
