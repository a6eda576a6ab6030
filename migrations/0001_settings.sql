CREATE TABLE "app_settings" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"salt_api_url" text,
	"salt_api_eauth" text DEFAULT 'auto' NOT NULL,
	"salt_api_username" text,
	"salt_api_password_enc" text,
	"minions_poll_interval_s" integer DEFAULT 60 NOT NULL,
	"jobs_poll_interval_s" integer DEFAULT 30 NOT NULL,
	"fleet_poll_interval_s" integer DEFAULT 300 NOT NULL,
	"inventory_poll_interval_s" integer DEFAULT 3600 NOT NULL,
	"event_stream_enabled" boolean DEFAULT true NOT NULL,
	"salt_api_verify_tls" boolean DEFAULT true NOT NULL,
	"salt_api_ca_bundle" text,
	"salt_api_timeout_s" integer DEFAULT 30 NOT NULL,
	"jobs_retention_days" integer DEFAULT 90 NOT NULL,
	"activity_retention_days" integer DEFAULT 30 NOT NULL,
	"run_confirm_threshold" integer DEFAULT 10 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text,
	CONSTRAINT "app_settings_single_row" CHECK ("app_settings"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "poller_status" (
	"master_id" text DEFAULT 'default' NOT NULL,
	"name" text NOT NULL,
	"last_success_at" timestamp with time zone,
	"last_duration_ms" integer,
	"last_error_at" timestamp with time zone,
	"last_error" text,
	CONSTRAINT "poller_status_master_id_name_pk" PRIMARY KEY("master_id","name")
);
