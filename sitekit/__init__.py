"""Tooling shared by the mkdocs hooks, the Sybil set-up and the site tests.

Not part of the installable package: nothing under physdl_docs imports it.
"""
