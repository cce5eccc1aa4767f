#!/usr/bin/env python3
"""Builds a ROCA-shaped RSA public key (CVE-2017-15361) for jwtk's fingerprint test.

Nemec et al. 2017 ("The Return of Coppersmith's Attack") describe the flawed key generator: every prime is
p = k * M + (65537^a mod M), where M is the product of the first n primes (n = 126 for 2048-bit keys).
Hence for each small prime r dividing M, p mod r is a power of 65537 mod r, and so is n = p * q mod r.
This script draws two such 1024-bit primes from a fixed seed (so the output is reproducible) and writes the
public JWK of their product. The private factors are not kept: the key is only ever used to be refused.

Run: python3 testvectors/roca/generate.py > testvectors/roca/roca-2048.public.jwk.json
"""
import base64
import json
import random


def small_primes(count):
    found, candidate = [], 2
    while len(found) < count:
        if all(candidate % p for p in found if p * p <= candidate):
            found.append(candidate)
        candidate += 1
    return found


def probably_prime(n, rng):
    if n < 2:
        return False
    for p in small_primes(60):
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for _ in range(40):
        x = pow(rng.randrange(2, n - 1), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def roca_prime(rng, modulus, bits):
    while True:
        k = rng.getrandbits(bits - modulus.bit_length())
        a = rng.randrange(1, modulus)
        p = k * modulus + pow(65537, a, modulus)
        if p.bit_length() == bits and probably_prime(p, rng):
            return p


def b64url(value):
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def main():
    rng = random.Random(20171016)  # fixed seed: the day CVE-2017-15361 was published
    modulus = 1
    for p in small_primes(126):
        modulus *= p
    while True:
        p, q = roca_prime(rng, modulus, 1024), roca_prime(rng, modulus, 1024)
        n = p * q
        if n.bit_length() == 2048:
            break
    jwk = {"kty": "RSA", "kid": "roca-2048", "alg": "RS256", "n": b64url(n), "e": b64url(65537)}
    print(json.dumps(jwk, indent=2))


if __name__ == "__main__":
    main()
