"""The site's figures, drawn at build time apart from the lessons' science.

One module per lesson, ``figures/<module>.py`` beside
``physdl_docs/<module>.py``: a cached ``_data()`` that calls into
``physdl_docs`` with fixed seeds, one function per figure taking a
`figures._style.Style`, and ``FIGURES = {"<module>-<what>": function}``.
``hooks/figures.py`` renders every figure in Korean and English, light and
dark, into ``docs/figures/<name>-<lang>-<palette>.svg`` and redraws a module's
figures only when its source, the style, or the ``physdl_docs`` code it
imports changes. Not part of the installed package.
"""
