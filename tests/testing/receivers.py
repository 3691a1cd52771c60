#!/usr/bin/python3
"""Loopback receivers for the delivery tests: a webhook endpoint and an SMTP server.

  receivers.py webhook DIR   # HTTP on 127.0.0.1, an ephemeral port
  receivers.py webhook-tls DIR  # the same over TLS, with DIR/cert.pem and DIR/key.pem
  receivers.py smtp DIR      # SMTP (aiosmtpd) on 127.0.0.1, a free port
  receivers.py smtp-starttls DIR  # SMTP that requires STARTTLS (DIR/cert.pem, DIR/key.pem)
  receivers.py smtps DIR     # SMTP over TLS from the first byte (DIR/cert.pem, DIR/key.pem)

Each writes its port to DIR/port once it listens, and each request or message it
receives to DIR/<n>.json. The webhook answers with the status in DIR/status (200 when
there is none) and, where DIR/key holds a signing key, records whether the
X-Fairlead-Signature header is the HMAC-SHA256 of the body under that key. The SMTP
server records the envelope and the message's decoded text body and subject, whether
the session was encrypted and who logged in; where DIR/auth holds "user:password", it
requires that login (AUTH PLAIN or LOGIN, over TLS only) before it takes a message.
"""
import email
import email.header
import email.policy
import hashlib
import hmac
import http.server
import json
import os
import signal
import socket
import sys
import time


def record(directory, item):
    n = len([f for f in os.listdir(directory) if f.endswith(".json")])
    tmp = os.path.join(directory, "%d.tmp" % n)
    with open(tmp, "w") as f:
        json.dump(item, f)
    os.rename(tmp, os.path.join(directory, "%d.json" % n))


def announce(directory, port):
    tmp = os.path.join(directory, "port.tmp")
    with open(tmp, "w") as f:
        f.write(str(port))
    os.rename(tmp, os.path.join(directory, "port"))


def webhook(directory, tls=False):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            item = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": body.decode("utf-8")}
            key_path = os.path.join(directory, "key")
            if os.path.exists(key_path):
                key = open(key_path).read().strip().encode()
                want = "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()
                item["signature_ok"] = hmac.compare_digest(want, self.headers.get("X-Fairlead-Signature", ""))
            status_path = os.path.join(directory, "status")
            status = int(open(status_path).read().strip()) if os.path.exists(status_path) else 200
            item["answered"] = status
            record(directory, item)
            answer = b"received" if status < 300 else b"receiver says no"
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    if tls:
        import ssl
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem"))
        server.socket = context.wrap_socket(server.socket, server_side=True)
    announce(directory, server.server_address[1])
    server.serve_forever()


def smtp(directory, tls=None):
    import logging
    import warnings
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    # Refused handshakes and logins are what the tests provoke; the test reads the outcome.
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)
    warnings.simplefilter("ignore")

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
            body = msg.get_body(preferencelist=("plain",))
            login = session.auth_data.login.decode() if session.authenticated and session.auth_data else None
            record(directory, {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                               "subject": str(msg["subject"]), "message_id": str(msg["message-id"]),
                               "headers": {k.lower(): str(v) for k, v in msg.items()},
                               "text": body.get_content() if body else "",
                               "encrypted": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
                               "login": login})
            return "250 Message accepted for delivery"

    kwargs = {}
    context = None
    if tls:
        import ssl
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem"))
        if tls == "starttls":
            kwargs.update(tls_context=context, require_starttls=True)
            context = None
    auth_path = os.path.join(directory, "auth")
    if os.path.exists(auth_path):
        want = open(auth_path).read().strip().encode()

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = hasattr(auth_data, "login") and auth_data.login + b":" + auth_data.password == want
            return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

        kwargs.update(authenticator=authenticator, auth_required=True)
        if context is not None:  # aiosmtpd sees TLS only after STARTTLS; smtps is TLS from the start
            kwargs.update(auth_require_tls=False)
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port, ssl_context=context, **kwargs)
    controller.start()
    announce(directory, port)
    signal.signal(signal.SIGTERM, lambda *a: (controller.stop(), sys.exit(0)))
    while True:
        time.sleep(1)


if __name__ == "__main__":
    {"webhook": webhook, "webhook-tls": lambda d: webhook(d, tls=True), "smtp": smtp,
     "smtp-starttls": lambda d: smtp(d, tls="starttls"), "smtps": lambda d: smtp(d, tls="implicit")}[sys.argv[1]](sys.argv[2])
