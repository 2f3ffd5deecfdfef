-- What a right's letters print (civility, name, company, address, email), sealed apart
-- from its voter record under the same chamber data key: the credential generation reads
-- this instead of the whole record (src/addressee.rs). Rights imported before it have
-- none; their letters are read from the record.
ALTER TABLE rights ADD COLUMN addressee BYTEA;
