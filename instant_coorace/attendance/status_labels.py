"""How the team's pages, exports and mails name what attendance records hold."""

from __future__ import annotations

from instant_coorace.attendance.models import AttendanceSource, AttendanceStatus

STATUS = {
    AttendanceStatus.PRESENT: "Présent·e",
    AttendanceStatus.ABSENT: "Absent·e",
    AttendanceStatus.EXCUSED: "Excusé·e",
}
#: A confirmed registrant with nothing recorded at a session where attendance was taken.
NO_SHOW = "Non venu·e"
#: Nothing recorded at a session where nobody's attendance was taken.
NOT_TAKEN = "Présence non relevée"

SOURCE = {
    AttendanceSource.JOIN_LINK: "Lien de connexion",
    AttendanceSource.REPORT: "Rapport de visio importé",
    AttendanceSource.CHECK_IN: "Accueil (pointage)",
    AttendanceSource.SIGNATURE: "Émargement signé",
    AttendanceSource.STAFF: "Saisie de l'équipe",
}
