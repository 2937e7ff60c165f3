"""What `make run` starts: the site on http://127.0.0.1:5000 (or the port in
``PORT``) and, beside it, the mail worker (a background thread), both stopped by
Ctrl-C."""

from __future__ import annotations

import threading

from instant_coorace import create_app
from instant_coorace.mail.worker import run_forever


def main() -> None:
    app = create_app()
    port = app.config["PORT"]
    stop_worker = threading.Event()
    worker = threading.Thread(
        target=run_forever, args=(app, stop_worker), name="mail-worker", daemon=True
    )
    worker.start()
    where = app.config["MAIL_SERVER"] or f"{app.instance_path}/mail/*.eml"
    print(f" * Instant Coorace : http://127.0.0.1:{port}")
    print(f" * Courriels envoyés par le worker vers {where}")
    try:
        app.run(host="127.0.0.1", port=port, debug=False, threaded=True)
    finally:
        stop_worker.set()
        worker.join(timeout=10)


if __name__ == "__main__":
    main()
