"""Why a registration cannot be made or changed; each carries the French
sentence a view shows to the person."""

from __future__ import annotations


class RegistrationError(Exception):
    message = "Cette inscription n'est pas possible."
    http_status = 409

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)
        if message:
            self.message = message


class EventNotFound(RegistrationError):
    message = "Cet événement n'existe pas ou n'est pas publié."
    http_status = 404


class EventCancelled(RegistrationError):
    message = "Cet événement a été annulé : les inscriptions sont fermées."
    http_status = 410


class RegistrationNotOpenYet(RegistrationError):
    message = "Les inscriptions à cet événement ne sont pas encore ouvertes."
    http_status = 403


class RegistrationClosed(RegistrationError):
    message = "Les inscriptions à cet événement sont closes."
    http_status = 403


class AudienceRestricted(RegistrationError):
    message = (
        "Cet événement est réservé aux structures adhérentes : "
        "choisissez votre structure dans la liste."
    )
    http_status = 403


class UnknownStructure(RegistrationError):
    message = "Cette structure n'est pas dans l'annuaire."
    http_status = 400


class AlreadyRegistered(RegistrationError):
    message = (
        "Vous êtes déjà inscrit·e à cet événement : nous vous renvoyons votre lien "
        "personnel par e-mail."
    )

    def __init__(self, registration_id: int) -> None:
        super().__init__()
        self.registration_id = registration_id


class RegistrationNotFound(RegistrationError):
    message = "Ce lien d'inscription n'est pas valide ou a été remplacé."
    http_status = 404


class NotCancellable(RegistrationError):
    message = "Cette inscription est déjà annulée."


class StructureQuotaReached(RegistrationError):
    message = "Cette structure a déjà utilisé toutes les places qui lui sont réservées."
