"""CDS Hooks 2.0 end to end, over the real `backaid serve` binary.

A client of our own that sends what the CDS Hooks sandbox sends: an ES384
(and an RS384) JWT signed with a key from a JWKS file (made with the
openssl CLI), a
hookInstance, fhirServer + fhirAuthorization, context and prefetch. The
answers are checked against the card and discovery schemas transcribed from
the CDS Hooks 2.0 specification; then the bad cases: no, expired,
wrong-audience, wrong-issuer, tampered and replayed tokens (401), a
fhirServer that must never be contacted, malformed prefetch (a card, never
a 5xx), a misconfigured JWKS (503, never open).

Usage: cdshooks_test.py BACKAID_BINARY SOURCE_DIR
"""

import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "server"))
from server_lib import Server, check, finish  # noqa: E402

QN = "https://backaid.invalid/fhir/Questionnaire/backaid-assessment"
OPT = "https://backaid.invalid/fhir/CodeSystem/backaid-answer-option"
ISS = "https://ehr.example.org"
# The service's public URL, as the EHR registered it (the JWT's aud).
AUD = "https://backaid.example.org/cds-services/backaid-back-pain"


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def der_to_raw(der):
    """ECDSA-Sig-Value DER -> r || s, 48 bytes each."""
    assert der[0] == 0x30
    i = 2 if der[1] < 0x80 else 2 + (der[1] & 0x7f)
    out = b""
    for _ in range(2):
        assert der[i] == 0x02
        n = der[i + 1]
        v = der[i + 2:i + 2 + n].lstrip(b"\x00")
        out += v.rjust(48, b"\x00")
        i += 2 + n
    return out


class RsaSigner:
    """RS384 (RSASSA-PKCS1-v1_5 with SHA-384) with a 2048-bit key."""

    def __init__(self, work, kid="k2"):
        self.kid = kid
        self.key = os.path.join(work, f"rsa-{kid}.pem")
        subprocess.run(["openssl", "genrsa", "-out", self.key, "2048"],
                       check=True, capture_output=True)
        modulus = subprocess.run(["openssl", "rsa", "-in", self.key, "-noout",
                                  "-modulus"], check=True, capture_output=True,
                                 text=True).stdout.strip().split("=", 1)[1]
        self.jwk = {"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS384",
                    "n": b64u(bytes.fromhex(modulus)),
                    "e": b64u((65537).to_bytes(3, "big"))}

    def token(self, aud, iss=ISS, exp_in=300, jti=None, alg="RS384",
              kid=None):
        header = {"alg": alg, "typ": "JWT", "kid": kid or self.kid,
                  "jku": ISS + "/jwks"}
        claims = {"iss": iss, "sub": "client", "aud": aud,
                  "exp": int(time.time()) + exp_in, "iat": int(time.time()),
                  "jti": jti or str(uuid.uuid4())}
        signing = (b64u(json.dumps(header).encode()) + "." +
                   b64u(json.dumps(claims).encode()))
        sig = subprocess.run(["openssl", "dgst", "-sha384", "-sign",
                              self.key], input=signing.encode(), check=True,
                             capture_output=True).stdout
        return signing + "." + b64u(sig)


class Signer:
    def __init__(self, work):
        self.key = os.path.join(work, "ec.pem")
        subprocess.run(["openssl", "ecparam", "-name", "secp384r1", "-genkey",
                        "-noout", "-out", self.key], check=True)
        pub = subprocess.run(["openssl", "ec", "-in", self.key, "-pubout",
                              "-outform", "DER"], check=True,
                             capture_output=True).stdout
        point = pub[-97:]
        assert point[0] == 4
        self.jwk = {"kty": "EC", "crv": "P-384", "kid": "k1", "use": "sig",
                    "alg": "ES384", "x": b64u(point[1:49]),
                    "y": b64u(point[49:])}

    def token(self, aud, iss=ISS, exp_in=300, jti=None, alg="ES384",
              header_extra=None, claims_extra=None):
        header = {"alg": alg, "typ": "JWT", "kid": "k1",
                  "jku": ISS + "/jwks"}
        header.update(header_extra or {})
        claims = {"iss": iss, "sub": "client", "aud": aud,
                  "exp": int(time.time()) + exp_in, "iat": int(time.time()),
                  "jti": jti or str(uuid.uuid4())}
        claims.update(claims_extra or {})
        signing = (b64u(json.dumps(header).encode()) + "." +
                   b64u(json.dumps(claims).encode()))
        der = subprocess.run(["openssl", "dgst", "-sha384", "-sign",
                              self.key], input=signing.encode(), check=True,
                             capture_output=True).stdout
        return signing + "." + b64u(der_to_raw(der))


def valid_card(card):
    ok = isinstance(card, dict)
    ok = ok and isinstance(card.get("summary"), str) and 0 < len(
        card["summary"]) <= 140
    ok = ok and card.get("indicator") in ("info", "warning", "critical")
    src = card.get("source")
    ok = ok and isinstance(src, dict) and isinstance(src.get("label"), str)
    ok = ok and isinstance(card.get("detail", ""), str)
    for s in card.get("suggestions", []):
        ok = ok and isinstance(s.get("label"), str)
        ok = ok and isinstance(s.get("isRecommended", False), bool)
    for link in card.get("links", []):
        ok = ok and isinstance(link.get("label"), str) and isinstance(
            link.get("url"), str) and link.get("type") in ("absolute", "smart")
    # cds-resp-6: suggestions need a selectionBehavior.
    ok = ok and (not card.get("suggestions") or
                 card.get("selectionBehavior") in ("at-most-one", "any"))
    allowed = {"uuid", "summary", "detail", "indicator", "source",
               "suggestions", "selectionBehavior", "overrideReasons", "links"}
    return ok and set(card) <= allowed


def qr(items):
    return {"resourceType": "QuestionnaireResponse", "questionnaire": QN,
            "status": "completed", "subject": {"reference": "Patient/p1"},
            "item": [{"linkId": k, "answer": v} for k, v in items.items()]}


def coding(*codes):
    return [{"valueCoding": {"system": OPT, "code": c}} for c in codes]


class Trap:
    """A TCP port that records whether anything connected."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stop = False
        threading.Thread(target=self.run, daemon=True).start()

    def run(self):
        while not self.stop:
            try:
                c, _ = self.sock.accept()
                self.connections += 1
                c.close()
            except OSError:
                pass


def main():
    binary = sys.argv[1]
    work = tempfile.mkdtemp(prefix="backaid-cds-")
    signer = Signer(work)
    rsa = RsaSigner(work)
    stranger = RsaSigner(work, kid="k9")  # a key the JWKS does not hold
    jwks = os.path.join(work, "jwks.json")
    with open(jwks, "w") as f:
        json.dump({"keys": [signer.jwk, rsa.jwk]}, f)
    env = dict(os.environ, BACKAID_CDS_JWKS=jwks, BACKAID_CDS_ISSUERS=ISS,
               BACKAID_PUBLIC_URL="https://backaid.example.org/",
               BACKAID_CDS_AUDIENCE=AUD)
    trap = Trap()
    srv = Server(binary, "sqlite:" + os.path.join(work, "db.sqlite"),
                 extra=["--rate", "0"], env=env)
    srv.start()
    aud = AUD
    try:
        st, hdrs, disc = srv.json("GET", "/cds-services")
        svc = (disc or {}).get("services", [{}])[0]
        check(st == 200 and svc.get("id") == "backaid-back-pain" and
              svc.get("hook") == "patient-view" and
              isinstance(svc.get("description"), str) and
              "assessment" in svc.get("prefetch", {}),
              f"discovery: {disc}")
        check("{{context.patientId}}" in svc["prefetch"]["assessment"],
              "prefetch template uses context.patientId")
        check(hdrs.get("access-control-allow-origin") == "*",
              "discovery: CORS")
        st, hdrs, _ = srv.request(
            "OPTIONS", "/cds-services/backaid-back-pain", None,
            {"Origin": "https://sandbox.cds-hooks.org",
             "Access-Control-Request-Method": "POST",
             "Access-Control-Request-Headers": "authorization,content-type"})
        check(st == 204 and "authorization" in hdrs.get(
            "access-control-allow-headers", "").lower(),
              f"CORS preflight {st} {hdrs}")

        def call(body, token=None, path="/cds-services/backaid-back-pain"):
            h = {"Content-Type": "application/json"}
            if token:
                h["Authorization"] = "Bearer " + token
            return srv.json("POST", path, body, headers=h)

        base = {"hook": "patient-view", "hookInstance": str(uuid.uuid4()),
                "context": {"userId": "Practitioner/1", "patientId": "p1"}}
        # No prefetch, no fhirServer: an info card asking for the assessment.
        st, _, out = call(base, signer.token(aud))
        card = (out or {}).get("cards", [{}])[0]
        check(st == 200 and valid_card(card) and card["indicator"] == "info"
              and card["links"][0]["type"] == "absolute" and
              card["links"][0]["url"] == "https://backaid.example.org/",
              f"no prefetch: info card with absolute link ({st} {out})")
        # A fhirServer with a token, no prefetch: never contacted.
        body = dict(base, fhirServer=f"http://127.0.0.1:{trap.port}/fhir",
                    fhirAuthorization={"access_token": "secret-xyz",
                                       "token_type": "Bearer",
                                       "expires_in": 300, "scope":
                                       "patient/*.read", "subject": "client"})
        st, _, out = call(body, signer.token(aud))
        time.sleep(0.3)
        check(st == 200 and out["cards"][0]["indicator"] == "info",
              "fhirServer without prefetch: info card")
        check(trap.connections == 0, "the fhirServer was never contacted")
        check("secret-xyz" not in srv.logs(), "fhirAuthorization not logged")

        # Cauda equina answers: critical card with reasons and sources.
        emergency = qr({"age": [{"valueInteger": 45}],
                        "sex": coding("female"),
                        "pregnant": coding("no"),
                        "emergency_signs": coding("none"),
                        "onset_days": [{"valueInteger": 2}],
                        "nerve_signs": coding("bladder", "saddle")})
        st, _, v1 = srv.json("POST", "/v1/assessments", {"answers": {
            "age": 45, "sex": "female", "pregnant": "no",
            "emergency_signs": ["none"],
            "onset_days": 2, "nerve_signs": ["bladder", "saddle"]}})
        check(v1["triage"]["triage"] == "emergency", "v1: emergency")
        st, _, out = call(dict(base, prefetch={"assessment": emergency}),
                          signer.token(aud))
        card = out["cards"][0]
        check(st == 200 and valid_card(card) and
              card["indicator"] == "critical" and "emergency" in
              card["summary"] and card.get("suggestions"),
              f"emergency: critical card ({out})")
        st, _, kb = srv.json("GET", "/readyz")
        check(kb["kb_version"] in card["source"]["label"],
              "source names the knowledge base version")
        check("sources:" in card["detail"], "detail lists sources")
        # The same in a searchset Bundle, and a plain spasm: level as v1.
        plain = {"age": 30, "sex": "male", "emergency_signs": ["none"],
                 "nerve_signs": ["none"], "illness_signs": ["none"],
                 "health_history": ["none"],
                 "pain_score": 5}
        st, _, v1 = srv.json("POST", "/v1/assessments", {"answers": plain})
        items = {k: ([{"valueInteger": v}] if isinstance(v, int) else
                     coding(*(v if isinstance(v, list) else [v])))
                 for k, v in plain.items()}
        bundle = {"resourceType": "Bundle", "type": "searchset",
                  "entry": [{"resource": qr(items)}]}
        st, _, out = call(dict(base, prefetch={"assessment": bundle}),
                          signer.token(aud))
        want = {"emergency": "critical", "urgent": "warning"}.get(
            v1["triage"]["triage"], "info")
        card = out["cards"][0]
        check(st == 200 and valid_card(card) and card["indicator"] == want
              and v1["triage"]["triage"] in card["summary"],
              f"plain spasm: {v1['triage']['triage']} -> {want} ({out})")

        # Malformed prefetch: a card, never an error.
        for bad in ("garbage", {"resourceType": "Patient"}, [1, 2],
                    qr({"nope": coding("x")})):
            st, _, out = call(dict(base, prefetch={"assessment": bad}),
                              signer.token(aud))
            check(st == 200 and valid_card(out["cards"][0]),
                  f"malformed prefetch {str(bad)[:40]}: a card ({st})")
        # Bad requests: 400/404, never 5xx.
        for body, want_st in (("{not json", 400), ({"hook": "x"}, 400),
                              ({"hook": "patient-view"}, 400)):
            st, _, _ = call(body, signer.token(aud))
            check(st == want_st, f"bad request {str(body)[:30]}: {st}")
        st, _, _ = call(base, signer.token(aud), path="/cds-services/other")
        check(st == 404, "unknown service: 404")

        # Bad tokens: 401.
        tampered = signer.token(aud)
        h, p, s = tampered.split(".")
        claims = json.loads(base64.urlsafe_b64decode(p + "=="))
        claims["iss"] = ISS
        claims["exp"] += 1000
        tampered = h + "." + b64u(json.dumps(claims).encode()) + "." + s
        none_alg = (b64u(b'{"alg":"none"}') + "." + p + ".")
        replay = signer.token(aud)
        st, _, _ = call(base, replay)
        check(st == 200, "first use of a token: 200")
        # RS384 with the JWKS's RSA key: accepted like ES384.
        st, _, out = call(base, rsa.token(aud))
        check(st == 200 and valid_card((out or {}).get("cards", [{}])[0]),
              f"RS384 token: 200 with a card ({st} {out})")
        # The scheme is case-insensitive (RFC 9110 11.1).
        st, _, out = srv.json("POST", "/cds-services/backaid-back-pain", base,
                              headers={"Content-Type": "application/json",
                                       "Authorization": "BEARER " +
                                       signer.token(aud)})
        check(st == 200, f"BEARER (upper case) works like Bearer ({st})")
        rsa_replay = rsa.token(aud)
        check(call(base, rsa_replay)[0] == 200, "RS384: first use 200")
        unknown_kid = stranger.token(aud)
        # The stranger's signature under the JWKS's kid: verified against
        # k2's key, so it fails.
        forged_kid = stranger.token(aud, kid="k2")
        wrong_alg = rsa.token(aud, alg="ES384", kid="k1")
        for what, tok in (("no token", None),
                          ("expired", signer.token(aud, exp_in=-10)),
                          ("wrong audience", signer.token(aud + "x")),
                          ("wrong issuer",
                           signer.token(aud, iss="https://evil.example")),
                          ("tampered", tampered), ("alg none", none_alg),
                          ("replayed jti", replay), ("garbage", "a.b.c"),
                          ("RS384 replayed jti", rsa_replay),
                          ("RS384 key not in the JWKS", unknown_kid),
                          ("RS384 signed by another key", forged_kid),
                          ("RSA signature sent as ES384", wrong_alg),
                          ("RS384 expired", rsa.token(aud, exp_in=-10)),
                          ("RS384 wrong audience", rsa.token(aud + "x")),
                          # Members of the wrong type, signed correctly.
                          ("alg a number",
                           signer.token(aud, header_extra={"alg": 5})),
                          ("kid an object",
                           signer.token(aud, header_extra={"kid": {}})),
                          ("exp 1e300",
                           signer.token(aud, claims_extra={"exp": 1e300})),
                          ("exp 2^64",
                           signer.token(aud, claims_extra={"exp": 2**64})),
                          ("exp a string",
                           signer.token(aud, claims_extra={"exp": "soon"})),
                          ("iss a list",
                           signer.token(aud, claims_extra={"iss": [ISS]})),
                          ("jti a number",
                           signer.token(aud, claims_extra={"jti": 7}))):
            st, _, out = call(base, tok)
            check(st == 401, f"{what}: 401 (got {st} {out})")
    finally:
        srv.stop()
        trap.stop = True

    # A JWKS that cannot be read: every call refused (503), never open.
    env["BACKAID_CDS_JWKS"] = os.path.join(work, "missing.json")
    srv = Server(binary, "sqlite:" + os.path.join(work, "db2.sqlite"),
                 extra=["--rate", "0"], env=env).start()
    try:
        st, _, _ = srv.json("POST", "/cds-services/backaid-back-pain",
                            {"hook": "patient-view", "hookInstance": "x",
                             "context": {}})
        check(st == 503, f"misconfigured JWKS: 503 (got {st})")
    finally:
        srv.stop()
    finish("cdshooks_e2e")


if __name__ == "__main__":
    main()
