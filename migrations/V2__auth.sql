-- Auth: API clients of ACOs, the keys that sign access tokens, and what the token
-- endpoint must remember (used assertion ids, request counts).

-- A credential set of one ACO. Secrets are stored only as slow salted hashes, in a
-- self-describing format that carries its parameters so they can be raised later.
CREATE TABLE clients (
    client_id          text        PRIMARY KEY CHECK (length(client_id) BETWEEN 8 AND 128),
    aco_id             uuid        NOT NULL REFERENCES acos (id),
    -- `$pbkdf2-sha512$i=<iterations>,l=<length>$<salt>$<hash>`; NULL for clients that
    -- authenticate only with signed JWT assertions.
    secret_hash        text,
    secret_expires_at  timestamptz,
    -- SMART Backend Services: the client's public keys, a JWKS document.
    public_jwks        jsonb,
    revoked_at         timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (secret_hash IS NOT NULL OR public_jwks IS NOT NULL)
);

CREATE INDEX clients_by_aco ON clients (aco_id);

-- RSA keys that sign access tokens. The newest unretired key signs; every key whose
-- `verify_until` has not passed is published in the JWKS, so tokens signed before a
-- rotation stay valid until they expire.
CREATE TABLE signing_keys (
    kid                    text        PRIMARY KEY,
    public_jwk             jsonb       NOT NULL,
    -- AES-256-GCM (nonce || ciphertext || tag) of the PKCS#8 private key; NULL when
    -- the private key lives outside the database (a mounted PEM file).
    private_key_encrypted  bytea,
    created_at             timestamptz NOT NULL DEFAULT now(),
    retired_at             timestamptz,
    verify_until           timestamptz
);

-- `jti` values of client assertions seen, kept until the assertion would have expired,
-- so an assertion is never accepted twice.
CREATE TABLE assertion_jtis (
    client_id   text        NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
    jti         text        NOT NULL,
    expires_at  timestamptz NOT NULL,
    PRIMARY KEY (client_id, jti)
);

CREATE INDEX assertion_jtis_expiry ON assertion_jtis (expires_at);

-- Token requests per client and fixed window, shared by every auth replica.
CREATE TABLE token_requests (
    client_id     text        NOT NULL,
    window_start  timestamptz NOT NULL,
    count         integer     NOT NULL,
    PRIMARY KEY (client_id, window_start)
);
