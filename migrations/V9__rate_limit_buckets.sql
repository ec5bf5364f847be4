-- Token rate limits count more than clients: successful requests per client, failed ones
-- per source address (so a stranger who knows a client id cannot lock that client out).
-- Each row is one bucket's count in one window: `client:<id>` or `address:<ip>`.
ALTER TABLE token_requests RENAME COLUMN client_id TO bucket;
DELETE FROM token_requests;
