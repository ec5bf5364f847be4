-- SMART Backend Services clients registered by JWKS URL (issue #23): the keys are
-- fetched from the URL (cached, fetched again for a key not yet seen) instead of kept
-- inline in public_jwks.
ALTER TABLE clients ADD COLUMN jwks_url text;
ALTER TABLE clients DROP CONSTRAINT clients_check;
ALTER TABLE clients ADD CONSTRAINT clients_have_a_credential
    CHECK (secret_hash IS NOT NULL OR public_jwks IS NOT NULL OR jwks_url IS NOT NULL);
