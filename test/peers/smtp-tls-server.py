# A STARTTLS SMTP server for tests (aiosmtpd, Debian's python3-aiosmtpd): the certificate and
# key given, STARTTLS required before any mail command (530 otherwise), AUTH offered and accepted
# only over TLS for the one user given, every accepted message written to a Maildir.
# Usage: smtp-tls-server.py HOST PORT MAILDIR CERT KEY USER PASSWORD
import asyncio
import ssl
import sys

from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

host, port, maildir, cert, key, user, password = sys.argv[1:8]
context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
    return AuthResult(success=ok)


handler = Mailbox(maildir)
loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
loop.run_until_complete(
    loop.create_server(
        lambda: SMTP(handler, hostname='switchyard-test', tls_context=context, require_starttls=True, auth_require_tls=True, authenticator=authenticator),
        host=host,
        port=int(port),
    )
)
loop.run_forever()
