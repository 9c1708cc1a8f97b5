"""The writers: each maps the rendered book (pages as data) onto one output format."""
