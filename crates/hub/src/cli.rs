//! The `casebook-hub` command line: parses arguments and calls the library, one function per
//! command.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use casebook_hub::enroll::issue_code;
use casebook_hub::state::now_ms;
use casebook_hub::storage::DatabaseUrl;
use casebook_hub::{HubKey, Storage, demo};
use casebook_protocol::Role;
use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

/// Casebook's hub: the sync server and its admin commands.
#[derive(Debug, Parser)]
#[command(name = "casebook-hub", version)]
pub struct Cli {
    /// The hub's data dir (hub.db and hub.key); every command but `openapi` needs it or
    /// --database.
    #[arg(long, env = "CASEBOOK_HUB_DATA")]
    data: Option<PathBuf>,
    /// The hub's PostgreSQL database instead of a data dir, e.g.
    /// postgres://casebook@db.internal/casebook (several hub processes may share it). The
    /// key comes from CASEBOOK_HUB_KEY or --key-file. It takes the place of a data dir set
    /// in CASEBOOK_HUB_DATA (an image's or a unit's default); with --data, it is refused.
    #[arg(
        long,
        env = "CASEBOOK_HUB_DATABASE",
        hide_env_values = true,
        value_parser = given_url
    )]
    database: Option<GivenUrl>,
    /// Whether the data dir was given on the command line (not from CASEBOOK_HUB_DATA).
    #[arg(skip)]
    data_on_command_line: bool,
    /// With --database: connect over TLS and trust only the CA certificates in this PEM file
    /// (a private CA). Without it, `sslmode=require` in the URL checks against the system's roots.
    #[arg(
        long,
        env = "CASEBOOK_HUB_DATABASE_CA",
        requires = "database",
        value_name = "FILE"
    )]
    database_ca: Option<PathBuf>,
    /// With --database: the file holding the hub key (64 hex characters), made on first use.
    #[arg(long, env = "CASEBOOK_HUB_KEY_FILE", requires = "database")]
    key_file: Option<PathBuf>,
    /// How log lines on stderr read: human (the default) or json (one object per line).
    #[arg(
        long,
        global = true,
        value_enum,
        env = "CASEBOOK_HUB_LOG_FORMAT",
        default_value = "human"
    )]
    pub log_format: crate::logging::LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the sync API.
    Serve(crate::serve_cmd::ServeArgs),
    /// Users and their enrollment codes.
    #[command(subcommand)]
    User(UserCommand),
    /// Cases and their assignment.
    #[command(subcommand)]
    Case(CaseCommand),
    /// Enrolled devices.
    #[command(subcommand)]
    Device(DeviceCommand),
    /// The organisation's recovery key, for laptops whose passphrase is forgotten.
    #[command(subcommand)]
    RecoveryKey(RecoveryKeyCommand),
    /// The audit trail: verify its hash chain, print its head, show who saw what.
    #[command(subcommand)]
    Audit(crate::audit_cmd::AuditCommand),
    /// How long closed cases are kept, legal holds, and erasing what is due.
    #[command(subcommand)]
    Retention(crate::retention_cmd::RetentionCommand),
    /// Subject access requests: everything about one person, redacted, and its deadline.
    Sar(crate::sar_cmd::SarArgs),
    /// Load a demo team, its users (with codes) and a few cases into an empty hub.
    Demo {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print the API's OpenAPI document (JSON), as `GET /v1/openapi.json` serves it.
    Openapi,
    /// Write an age-encrypted backup (database and key), consistent while the hub serves.
    Backup(crate::backup_cmd::BackupArgs),
    /// Restore a backup into a data dir, or a database, that holds no hub yet.
    Restore(crate::backup_cmd::RestoreArgs),
    /// Make a new hub key: on PostgreSQL, seal everything again under it; on a data dir,
    /// re-encrypt the database under it and replace hub.key (stop every hub process first).
    RotateKey(crate::key_cmd::RotateKeyArgs),
}

#[derive(Debug, Subcommand)]
enum RecoveryKeyCommand {
    /// Make the recovery key: prints its secret half once (keep it offline, e.g. printed in a
    /// safe); the hub keeps only the public half, which laptops enrolled from now on seal their
    /// database key to.
    New {
        /// Replace an existing key (laptops enrolled before keep the old one).
        #[arg(long)]
        replace: bool,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a user and print a one-time enrollment code (valid 72 hours).
    Add {
        /// The user's name (unique).
        name: String,
        /// facilitator, supervisor, coordinator or admin.
        #[arg(long)]
        role: Role,
        /// The user's team.
        #[arg(long)]
        team: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Issue another enrollment code for a user.
    Code {
        /// The user's name.
        name: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum CaseCommand {
    /// List cases with their assignment.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Reassign a case (by id or reference).
    Assign {
        /// The case id or reference.
        case: String,
        /// The new lead facilitator.
        #[arg(long)]
        to: String,
        /// The co-facilitator.
        #[arg(long)]
        co: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum DeviceCommand {
    /// List enrolled devices.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a device.
    Revoke {
        /// The device id.
        device: String,
        /// Also order it to erase its store (after its last push).
        #[arg(long)]
        wipe: bool,
    },
}

/// The command line, and where its data dir came from.
pub fn parse() -> Cli {
    let matches = Cli::command().get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    cli.data_on_command_line = matches.value_source("data") == Some(ValueSource::CommandLine);
    cli
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    // The document is a constant of this binary: no data dir, no key.
    if let Command::Openapi = cli.command {
        return print_openapi();
    }
    let key = std::env::var("CASEBOOK_HUB_KEY")
        .ok()
        .map(|k| HubKey::from_hex(&k))
        .transpose()
        .context("CASEBOOK_HUB_KEY is set but unusable")?;
    if cli.data_on_command_line && cli.database.is_some() {
        anyhow::bail!("give --data DIR or --database URL, not both");
    }
    let mut storage = match (cli.data, cli.database) {
        (_, Some(GivenUrl(given))) => {
            // The error names what is wrong, never the text (it may hold a password).
            let url: DatabaseUrl = given.parse()?;
            let url = match &cli.database_ca {
                Some(ca) => url.with_ca_file(ca)?,
                None => url,
            };
            // Restore makes the database's hub: nothing may be opened (or migrated) there first.
            if let Command::Restore(args) = cli.command {
                return crate::backup_cmd::restore_database(&url, cli.key_file.as_deref(), args, operator());
            }
            let key = match key {
                Some(key) => key,
                None => database_key(cli.key_file.as_deref())?,
            };
            Storage::connect(&url, key).with_context(|| format!("cannot open the hub's database {url}"))?
        }
        (Some(data), None) => {
            // Restore makes the data dir's hub: nothing may be opened (or created) there first.
            if let Command::Restore(args) = cli.command {
                return crate::backup_cmd::restore(&data, args, operator());
            }
            open(&data, key)?
        }
        (None, None) => anyhow::bail!(
            "the hub's data is missing: give --data DIR (or set CASEBOOK_HUB_DATA), or --database postgres://... \
             (or set CASEBOOK_HUB_DATABASE)"
        ),
    };
    storage.set_operator(operator());
    match cli.command {
        Command::Serve(args) => crate::serve_cmd::run(args, storage),
        Command::User(UserCommand::Add {
            name,
            role,
            team,
            json,
        }) => {
            let user = storage.add_user(&name, role, team.as_deref(), now_ms())?;
            let code = issue_code(&mut storage, &user, now_ms())?;
            print_code(&user.name, &code, json)
        }
        Command::User(UserCommand::Code { name, json }) => {
            let user = storage.user_by_name(&name)?;
            let code = issue_code(&mut storage, &user, now_ms())?;
            print_code(&user.name, &code, json)
        }
        Command::Case(CaseCommand::List { json }) => {
            let cases = storage.cases()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&cases)?);
            } else {
                for c in cases {
                    let quarantined = if c.quarantined > 0 {
                        format!(" ({} flagged for review)", c.quarantined)
                    } else {
                        String::new()
                    };
                    println!(
                        "{}  {}  lead: {}  co: {}  team: {}  ops: {}{quarantined}",
                        c.reference,
                        c.case_id,
                        c.lead.as_deref().unwrap_or("-"),
                        c.co.as_deref().unwrap_or("-"),
                        c.team.as_deref().unwrap_or("-"),
                        c.ops,
                    );
                }
            }
            Ok(())
        }
        Command::Case(CaseCommand::Assign { case, to, co }) => {
            let id = storage.assign(&case, &to, co.as_deref(), now_ms())?;
            println!("case {id} assigned");
            Ok(())
        }
        Command::Device(DeviceCommand::List { json }) => {
            let devices = storage.devices()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&devices)?);
            } else {
                for d in devices {
                    let state = match (d.handed_over_ms, d.revoked, d.wipe) {
                        (Some(ms), _, _) => format!("handed over cleanly {}", crate::audit_cmd::when(ms)),
                        (None, _, true) => "revoked, wipe ordered".to_owned(),
                        (None, true, false) => "revoked".to_owned(),
                        _ => "active".to_owned(),
                    };
                    println!("{}  {}  user: {}  {state}", d.device_id, d.name, d.user);
                }
            }
            Ok(())
        }
        Command::Device(DeviceCommand::Revoke { device, wipe }) => {
            storage.revoke(&device, wipe, now_ms())?;
            println!(
                "device {device} revoked{}",
                if wipe { "; it will be told to wipe" } else { "" }
            );
            Ok(())
        }
        Command::Audit(command) => crate::audit_cmd::run(&mut storage, command),
        Command::Sar(args) => crate::sar_cmd::run(&mut storage, args),
        Command::Retention(command) => crate::retention_cmd::run(&mut storage, command),
        Command::RecoveryKey(RecoveryKeyCommand::New { replace }) => {
            if storage.recovery_recipient()?.is_some() && !replace {
                anyhow::bail!(
                    "this hub already has a recovery key, and laptops enrolled so far sealed their key to it; \
                     give --replace to make a new one for laptops enrolled from now on (keep the old one too)"
                );
            }
            let identity = age::x25519::Identity::generate();
            let recipient = identity.to_public().to_string();
            storage.set_recovery_recipient(&recipient, now_ms())?;
            use age::secrecy::ExposeSecret;
            println!(
                "{}\n\nThe recovery key above is shown once: keep it offline (printed, in a safe). With it, \
                 `casebook recover --identity FILE` opens a laptop's store whose passphrase is lost.\n\
                 Laptops enrolled from now on seal their key to {recipient}.",
                identity.to_string().expose_secret()
            );
            Ok(())
        }
        Command::Demo { json } => {
            let users = demo::load(&mut storage, now_ms())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&users)?);
            } else {
                println!("demo loaded: teams north and south, 4 cases. Enrollment codes (valid 72 h):");
                for u in users {
                    println!("  {:<20} {:<12} {}", u.user, u.role.as_str(), u.enrollment_code);
                }
            }
            Ok(())
        }
        Command::Openapi => print_openapi(),
        Command::Backup(args) => crate::backup_cmd::backup(&mut storage, args),
        Command::RotateKey(args) => crate::key_cmd::rotate(&mut storage, &args),
        // Handled above, before the data dir was opened.
        Command::Restore(_) => anyhow::bail!("restore runs before the hub is opened"),
    }
}

/// The system user running this command, for the audit entries of admin commands.
fn operator() -> Option<String> {
    ["USER", "LOGNAME"]
        .iter()
        .find_map(|var| std::env::var(var).ok())
        .map(|name| name.chars().take(64).collect())
        .filter(|name: &String| !name.is_empty())
}

fn print_openapi() -> anyhow::Result<()> {
    use utoipa::OpenApi;
    let json = casebook_hub::routes::ApiDoc::openapi().to_pretty_json()?;
    // writeln!, not println!: a closed pipe (`| head`) is an error to report, not a panic.
    writeln!(std::io::stdout().lock(), "{json}").context("cannot write the document to stdout")?;
    Ok(())
}

/// `--database` as given, checked only after clap: clap quotes a value it refuses, and this
/// one may hold a password. Its `Debug` shows nothing of it.
#[derive(Clone)]
struct GivenUrl(String);

impl std::fmt::Debug for GivenUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GivenUrl(..)")
    }
}

fn given_url(text: &str) -> Result<GivenUrl, String> {
    Ok(GivenUrl(text.to_owned()))
}

/// The hub key for a PostgreSQL database: from `--key-file`, made there (mode 0600) on first
/// use. A new key given to a database sealed under another is refused when it is opened.
fn database_key(file: Option<&Path>) -> anyhow::Result<HubKey> {
    let file = file.context(
        "with --database, the hub key comes from CASEBOOK_HUB_KEY or --key-file FILE (made on first use)",
    )?;
    casebook_hub::storage::key::load_or_create_file(file)
        .with_context(|| format!("cannot use the hub key in {}", file.display()))
}

fn open(data: &Path, key: Option<HubKey>) -> anyhow::Result<Storage> {
    Storage::open(data, key).with_context(|| format!("cannot open the hub in {}", data.display()))
}

fn print_code(user: &str, code: &str, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::json!({ "user": user, "enrollment_code": code }));
    } else {
        println!("enrollment code for {user} (one use, valid 72 hours): {code}");
    }
    Ok(())
}
