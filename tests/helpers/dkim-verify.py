"""Verifies every DKIM-Signature of a message with dkimpy (Debian's python3-dkim, the library behind its
dkimverify script), an implementation independent of Daybreak's signer.

usage: python3 dkim-verify.py RECORDS.json < message.eml
RECORDS.json maps DNS names ("sel._domainkey.example.com") to TXT record text: the test machine has no
DNS for the test domains, so lookups are answered from it. Prints one JSON line:
{"signatures": [{"index": 0, "algorithm": "rsa-sha256", "ok": true}, ...]}
"""
import json
import sys

import dkim

records = json.load(open(sys.argv[1]))


def dnsfunc(name, timeout=5):
    key = name.decode() if isinstance(name, bytes) else name
    value = records.get(key.rstrip('.'))
    return value.encode() if value is not None else None


message = sys.stdin.buffer.read()
d = dkim.DKIM(message, minkey=1024)
count = len([h for h in d.headers if h[0].lower() == b'dkim-signature'])
results = []
for index in range(count):
    algorithm = None
    try:
        sig = dkim.parse_tag_value([h for h in d.headers if h[0].lower() == b'dkim-signature'][index][1])
        algorithm = sig.get(b'a', b'').decode()
        ok = bool(dkim.DKIM(message, minkey=1024).verify(index, dnsfunc=dnsfunc))
        error = None
    except Exception as e:  # a malformed signature is a failure to verify, reported with its reason
        ok = False
        error = str(e)
    results.append({'index': index, 'algorithm': algorithm, 'ok': ok, 'error': error})
print(json.dumps({'signatures': results}))
