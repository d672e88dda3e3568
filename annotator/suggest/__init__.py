"""Suggestions that do the work: spans pre-annotated by patterns, a spaCy pipeline or the team's own
store, written into a store as suggestions; and a pipeline trained from the accepted records.

spaCy is an optional extra (`pip install 'annotator[spacy]'`), imported only inside the
functions that need it (`load_spacy`), so the rest of annotator never pays for it.
"""
