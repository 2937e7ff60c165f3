"""The audit log: who did what sensitive thing, when and from where."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from instant_coorace.database import UTCDateTime, utcnow
from instant_coorace.enums import enum_column
from instant_coorace.extensions import db


class AuditAction(enum.StrEnum):
    LOGIN_SUCCEEDED = "login_succeeded"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - an action, not a secret
    ACCOUNT_CREATED = "account_created"
    ACCOUNT_DEACTIVATED = "account_deactivated"
    ACCOUNT_REACTIVATED = "account_reactivated"
    ACCOUNT_ROLE_CHANGED = "account_role_changed"
    ACCOUNT_PASSWORD_RESET = "account_password_reset"  # noqa: S105
    PERSON_EXPORTED = "person_exported"
    PERSON_ERASED = "person_erased"
    DIRECTORY_IMPORTED = "directory_imported"
    REGISTRANTS_EXPORTED = "registrants_exported"
    EVENT_CANCELLED = "event_cancelled"
    SUPPORT_RECORDED = "support_recorded"
    SUPPORT_CHANGED = "support_changed"
    SUPPORT_DELETED = "support_deleted"
    ATTENDANCE_EXPORTED = "attendance_exported"
    CERTIFICATES_DOWNLOADED = "certificates_downloaded"
    ATTENDANCE_SHEET_DOWNLOADED = "attendance_sheet_downloaded"
    ATTENDANCE_IMPORTED = "attendance_imported"


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: Who acted, when logged in; kept when the account is gone (``SET NULL``).
    staff_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    #: The acting account's address, or the one typed at a failed login.
    email: Mapped[str] = mapped_column(String(254), default="")
    action: Mapped[AuditAction] = mapped_column(enum_column(AuditAction), index=True)
    #: What was acted upon, in words (« Événement 12 : Webinaire RSE »).
    target: Mapped[str] = mapped_column(String(300), default="")
    #: The client's address (behind ``TRUSTED_PROXIES``), empty from the command line.
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)


#: How the « Journal » page names each action.
ACTION_LABELS = {
    AuditAction.LOGIN_SUCCEEDED: "Connexion",
    AuditAction.LOGIN_FAILED: "Connexion refusée",
    AuditAction.LOGOUT: "Déconnexion",
    AuditAction.PASSWORD_CHANGED: "Mot de passe changé",
    AuditAction.ACCOUNT_CREATED: "Compte créé",
    AuditAction.ACCOUNT_DEACTIVATED: "Compte désactivé",
    AuditAction.ACCOUNT_REACTIVATED: "Compte réactivé",
    AuditAction.ACCOUNT_ROLE_CHANGED: "Rôle changé",
    AuditAction.ACCOUNT_PASSWORD_RESET: "Mot de passe réinitialisé",
    AuditAction.PERSON_EXPORTED: "Données d'une personne exportées",
    AuditAction.PERSON_ERASED: "Données d'une personne effacées",
    AuditAction.DIRECTORY_IMPORTED: "Annuaire importé",
    AuditAction.REGISTRANTS_EXPORTED: "Liste des inscrit·es exportée",
    AuditAction.EVENT_CANCELLED: "Événement annulé",
    AuditAction.SUPPORT_RECORDED: "Accompagnement enregistré",
    AuditAction.SUPPORT_CHANGED: "Accompagnement modifié",
    AuditAction.SUPPORT_DELETED: "Accompagnement supprimé",
    AuditAction.ATTENDANCE_EXPORTED: "Présences exportées",
    AuditAction.CERTIFICATES_DOWNLOADED: "Certificats de présence téléchargés",
    AuditAction.ATTENDANCE_SHEET_DOWNLOADED: "Feuille d'émargement téléchargée",
    AuditAction.ATTENDANCE_IMPORTED: "Rapport de présence importé",
}
