package io.sluice.schemas.registry;

import org.apache.avro.Schema;

/** A schema as registered under a subject: its global id and its version within the subject. */
public record SchemaMetadata(String subject, int id, int version, Schema schema) {}
