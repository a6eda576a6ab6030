CREATE TABLE "inventory_versions" (
	"master_id" text DEFAULT 'default' NOT NULL,
	"name" text NOT NULL,
	"source" text NOT NULL,
	"version" text NOT NULL,
	"minions" integer NOT NULL,
	CONSTRAINT "inventory_versions_master_id_name_source_version_pk" PRIMARY KEY("master_id","name","source","version")
);
