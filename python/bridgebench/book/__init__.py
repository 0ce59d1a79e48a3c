"""The teaching book's preprocessor (docs/book, an mdBook).

mdBook hands every chapter, includes already expanded, to `python -m bridgebench.book`;
it replaces each `{{#bb ...}}` directive with what the registry (benches/bridges.toml),
the kernel specs and the book's committed record (benches/records/<id>/results.json)
say, then refuses any page that still holds a hand-typed figure (bridgebench.book.check).
The directives are listed in bridgebench.book.directives.
"""
