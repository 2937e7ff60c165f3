"""Every byte of iCalendar we emit: invitations for registrants, downloads and
subscribable feeds, and the « Ajouter à mon agenda » links."""
