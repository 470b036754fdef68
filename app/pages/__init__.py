"""Inserted pages: loose-leaf pages the person adds to the notes section of their plan, each
a title, their own text, a link and a small file. A page is an entry of the notes section
with `page` set (so it has history, sync, sharing and export as every entry does); its file
is kept beside the plan, encrypted, as a plan attachment of kind "page"."""
