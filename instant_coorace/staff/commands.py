from flask.cli import AppGroup

staff_cli = AppGroup("staff", help="Comptes de l'équipe.")
