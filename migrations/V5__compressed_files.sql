-- Export files are stored gzip-compressed (`<object_key>.gz`), as BCDA stores them: most
-- clients download with `Accept-Encoding: gzip` and get the stored bytes as they are.
-- For clients that want plain NDJSON the file server decompresses, and needs the
-- uncompressed size for `Content-Length` and `Range`.
ALTER TABLE job_keys
    ADD COLUMN content_bytes       bigint CHECK (content_bytes >= 0),
    ADD COLUMN error_content_bytes bigint CHECK (error_content_bytes >= 0);
