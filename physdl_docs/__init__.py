"""physdl_docs: the tested code behind the physdl-docs lessons.

One module per lesson (``physdl_docs.hopfield`` is taught on the Hopfield
page, ``physdl_docs.ising`` on the Ising page, ...). Every function used on a
page lives here with a docstring, type hints and unit tests, so the site's
snippets and the package cannot drift apart.
"""

__version__ = "0.1.0"
