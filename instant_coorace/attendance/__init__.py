"""Attendance: who came to each session of an event, and the proof of it.

One record per registration and session (``SessionAttendance``), whatever told
us: the personal join link of an online session, an imported Zoom / Teams /
Meet report, a tap on the check-in page, a trainee's signature or the team's
own entry. The yearly figures, the follow-up mail and the training paperwork
all read these records, never the ways they were collected.
"""
