"""Attendance reports of online meetings (Zoom, Teams, Google Meet), imported.

``reading`` turns the uploaded bytes into rows of cells whatever the encoding
and separator (the tools' own exports, or the same files re-saved by Excel);
``formats`` recognises each tool's report from its content and reads who was
there and when; ``matching`` finds the registration of each person and decides
who attended; ``service`` previews, applies and remembers the staff's choices
for the rows that matched no one.
"""
