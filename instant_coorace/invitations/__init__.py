"""Invitations: campaigns that invite members to an event, the followers of a
series, and the unsubscriptions every such mail must respect.

Transactional mail (a confirmation, a reminder of an event one registered to)
is not an invitation: it goes out whatever the recipient unsubscribed from.
"""
