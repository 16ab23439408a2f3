
use builtin;
use str;

set edit:completion:arg-completer[b24tel] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'b24tel'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'b24tel'= {
            cand -p 'Profile in the config file'
            cand --profile 'Profile in the config file'
            cand --config 'Config file [default: <config dir>/b24tel/config.toml]'
            cand --webhook 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile'
            cand -o 'Output format [default: table on a terminal, json otherwise]'
            cand --output 'Output format [default: table on a terminal, json otherwise]'
            cand --timeout 'Give up on a request that makes no progress for this long [default: 60]'
            cand --retries 'Retries for retryable failures [default: 3]'
            cand -q 'No progress bar, no warnings'
            cand --quiet 'No progress bar, no warnings'
            cand -v 'One line per HTTP exchange on stderr'
            cand --verbose 'One line per HTTP exchange on stderr'
            cand --dry-run 'Validate everything and print the request that would be sent; send nothing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand record 'Attach call recordings'
            cand transcript 'Attach conversation transcripts'
            cand batch 'Attach every recording and transcript listed in a manifest (for cron; re-runnable)'
            cand call 'Register, finish and look up calls (telephony.externalCall.*, voximplant.statistic.get)'
            cand smoke 'Check a portal''s whole telephony path: register, finish, attach, read back'
            cand config 'Manage the config file and its profiles'
            cand auth 'Sign an OAuth app profile in once; unattended runs then refresh its tokens'
            cand doctor 'Check the config, the connection, the clock, authentication, the telephony scope and call statistics'
            cand sandbox 'Run a local stand-in portal for trying b24tel and testing scripts'
            cand demo 'Run `smoke` against a built-in sandbox portal, then show the commands to do it by hand'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page, or write every command''s page into a folder'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'b24tel;record'= {
            cand -p 'Profile in the config file'
            cand --profile 'Profile in the config file'
            cand --config 'Config file [default: <config dir>/b24tel/config.toml]'
            cand --webhook 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile'
            cand -o 'Output format [default: table on a terminal, json otherwise]'
            cand --output 'Output format [default: table on a terminal, json otherwise]'
            cand --timeout 'Give up on a request that makes no progress for this long [default: 60]'
            cand --retries 'Retries for retryable failures [default: 3]'
            cand -q 'No progress bar, no warnings'
            cand --quiet 'No progress bar, no warnings'
            cand -v 'One line per HTTP exchange on stderr'
            cand --verbose 'One line per HTTP exchange on stderr'
            cand --dry-run 'Validate everything and print the request that would be sent; send nothing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand attach 'Attach a recording (.mp3/.wav) to a finished call, from a file or a URL'
            cand upload-url 'Get a one-off upload URL for a recording, and optionally upload the file to it'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'b24tel;record;attach'= {
            cand --call-id 'CALL_ID from telephony.externalCall.register'
            cand --file 'Recording file to send (streamed as Base64)'
            cand --url 'URL the portal downloads the recording from'
            cand --filename 'Name to store the recording under [default: the file''s or URL''s name]'
            cand --wait-for-call 'Keep asking while the portal says the call is not finished, up to SECS'
            cand --convert 'auto: send PCM WAV and MP3 as they are, convert the rest to MP3; mp3/wav: always convert to that; never: send the file unchanged (.mp3/.wav only)'
            cand --bitrate 'MP3 bitrate when converting, in kbps (CBR) [default: 32 per channel]'
            cand --raw-rate 'Sample rate of headerless .raw/.sln input [default: 8000; .sln16 is 16000]'
            cand --raw-channels 'Channels of headerless .raw/.sln input (2 for MixMonitor''s D option)'
            cand -p 'Profile in the config file'
            cand --profile 'Profile in the config file'
            cand --config 'Config file [default: <config dir>/b24tel/config.toml]'
            cand --webhook 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile'
            cand -o 'Output format [default: table on a terminal, json otherwise]'
            cand --output 'Output format [default: table on a terminal, json otherwise]'
            cand --timeout 'Give up on a request that makes no progress for this long [default: 60]'
            cand --retries 'Retries for retryable failures [default: 3]'
            cand --no-sniff 'Do not check that the content looks like MP3/WAV'
            cand --if-absent 'Send nothing when the call already has a record (voximplant.statistic.get)'
            cand -q 'No progress bar, no warnings'
            cand --quiet 'No progress bar, no warnings'
            cand -v 'One line per HTTP exchange on stderr'
            cand --verbose 'One line per HTTP exchange on stderr'
            cand --dry-run 'Validate everything and print the request that would be sent; send nothing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'b24tel;record;upload-url'= {
            cand --call-id 'CALL_ID from telephony.externalCall.register'
            cand --filename 'Name of the recording (.mp3 or .wav)'
            cand --upload 'Upload this file to the URL (raw, multipart/form-data) and print its FILE_ID'
            cand --convert 'auto: send PCM WAV and MP3 as they are, convert the rest to MP3; mp3/wav: always convert to that; never: send the file unchanged (.mp3/.wav only)'
            cand --bitrate 'MP3 bitrate when converting, in kbps (CBR) [default: 32 per channel]'
            cand --raw-rate 'Sample rate of headerless .raw/.sln input [default: 8000; .sln16 is 16000]'
            cand --raw-channels 'Channels of headerless .raw/.sln input (2 for MixMonitor''s D option)'
            cand -p 'Profile in the config file'
            cand --profile 'Profile in the config file'
            cand --config 'Config file [default: <config dir>/b24tel/config.toml]'
            cand --webhook 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile'
            cand -o 'Output format [default: table on a terminal, json otherwise]'
            cand --output 'Output format [default: table on a terminal, json otherwise]'
            cand --timeout 'Give up on a request that makes no progress for this long [default: 60]'
            cand --retries 'Retries for retryable failures [default: 3]'
            cand --no-sniff 'Do not check that the content looks like MP3/WAV (and convert nothing)'
            cand -q 'No progress bar, no warnings'
            cand --quiet 'No progress bar, no warnings'
            cand -v 'One line per HTTP exchange on stderr'
            cand --verbose 'One line per HTTP exchange on stderr'
            cand --dry-run 'Validate everything and print the request that would be sent; send nothing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'b24tel;record;help'= {
            cand attach 'Attach a recording (.mp3/.wav) to a finished call, from a file or a URL'
            cand upload-url 'Get a one-off upload URL for a recording, and optionally upload the file to it'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'b24tel;record;help;attach'= {
        }
        &'b24tel;record;help;upload-url'= {
        }
        &'b24tel;record;help;help'= {
        }
        &'b24tel;transcript'= {
            cand -p 'Profile in the config file'
            cand --profile 'Profile in the config file'
            cand --config 'Config file [default: <config dir>/b24tel/config.toml]'
            cand --webhook 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile'
            cand -o 'Output format [default: table on a terminal, json otherwise]'
            cand --output 'Output format [default: table on a terminal, json otherwise]'
            cand --timeout 'Give up on a request that makes no progress for this long [default: 60]'
            cand --retries 'Retries for retryable failures [default: 3]'
            cand -q 'No progress bar, no warnings'
            cand --quiet 'No progress bar, no warnings'
            cand -v 'One line per HTTP exchange on stderr'
            cand --verbose 'One line per HTTP exchange on stderr'
            cand --dry-run 'Validate everything and print the request that would be sent; send nothing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand attach 'Attach a conversation transcript to a finished call'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'b24tel;transcript;attach'= {
            cand --call-id 'CALL_ID from telephony.externalCall.register'
            cand --file 'Transcript file (json, csv, tsv, srt, vtt, whisper), or - for stdin'
            cand --user-file 'The user''s leg alone (one channel of a stereo call): every cue on User'
            cand --client-file 'The client''s leg alone: every cue on Client, merged with --user-file by time'
            cand --message 'One message as SIDE:START:STOP:TEXT (repeatable; the text may contain colons)'
            cand --format 'Input format [default: detected from the extension and content]'
            cand --speaker 'Map a speaker label to a side, e.g. SPEAKER_00=User (repeatable)'
            cand --channel 'Map a channel, as the engine numbers it, to a side, e.g. 0=User (repeatable)'
            cand --default-side 'Side for cues without a speaker label'
            cand --encoding 'Text encoding of the file [default: UTF-8, or UTF-16 with a BOM]'
            cand --cost 'Cost of the transcription, sent as COST'
            cand --currency 'Currency of the cost (three upper-case letters), sent as COST_CURRENCY'
            cand --wait-for-call 'Keep asking while the portal says the call is not finished, up to SECS'
            cand -p 'Profile in the config file'
            cand --profile 'Profile in the config file'
            cand --config 'Config file [default: <config dir>/b24tel/config.toml]'
            cand --webhook 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile'
            cand -o 'Output format [default: table on a terminal, json otherwise]'
            cand --output 'Output format [default: table on a terminal, json otherwise]'
            cand --timeout 'Give up on a request that makes no progress for this long [default: 60]'
            cand --retries 'Retries for retryable failures [default: 3]'
            cand -q 'No progress bar, no warnings'
            cand --quiet 'No progress bar, no warnings'
            cand -v 'One line per HTTP exchange on stderr'
            cand --verbose 'One line per HTTP exchange on stderr'
            cand --dry-run 'Validate everything and print the request that would be sent; send nothing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'b24tel;transcript;help'= {
            cand attach 'Attach a conversation transcript to a finished call'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'b24tel;transcript;help;attach'= {
        }
        &'b24tel;transcript;help;help'= {
        }
        &'b24tel;batch'= {
            cand --manifest 'Manifest: CSV with a header, or JSON Lines, or - for stdin (call_id or external_call_id, record, transcript, user_transcript, client_transcript, filename)'
            cand --journal 'Journal of what is done [default: <manifest>.journal; ./batch.journal for stdin]'
            cand --jobs 'Operations in flight at once'
            cand --burst 'Requests that may leave at once (the portal''s bucket: 50, 250 on Enterprise)'
            cand --rate 'Requests per second the bucket drains (2, 5 on Enterprise)'
            cand --min-age 'Leave record files modified less than SECS ago for the next run'
            cand --wait-for-call 'Retry "call not found / not finished" for up to SECS within this run'
            cand --give-up-after 'A row waiting for its call this long after it was first tried is failed'
            cand --settle 'After a transcript request got no answer, how long its absence on the portal still means "may be landing" rather than "not landed"'
            cand --convert 'auto: send PCM WAV and MP3 as they are, convert the rest to MP3; mp3/wav: always convert to that; never: send the file unchanged (.mp3/.wav only)'
            cand --bitrate 'MP3 bitrate when converting, in kbps (CBR) [default: 32 per channel]'
            cand --raw-rate 'Sample rate of headerless .raw/.sln input [default: 8000; .sln16 is 16000]'
            cand --raw-channels 'Channels of headerless .raw/.sln input (2 for MixMonitor''s D option)'
            cand --format 'Input format [default: detected from the extension and content]'
            cand --speaker 'Map a speaker label to a side, e.g. SPEAKER_00=User (repeatable)'
            cand --channel 'Map a channel, as the engine numbers it, to a side, e.g. 0=User (repeatable)'
            cand --default-side 'Side for cues without a speaker label'
            cand --encoding 'Text encoding of the file [default: UTF-8, or UTF-16 with a BOM]'
            cand -p 'Profile in the config file'
            cand --profile 'Profile in the config file'
            cand --config 'Config file [default: <config dir>/b24tel/config.toml]'
            cand --webhook 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile'
            cand -o 'Output format [default: table on a terminal, json otherwise]'
            cand --output 'Output format [default: table on a terminal, json otherwise]'
            cand --timeout 'Give up on a request that makes no progress for this long [default: 60]'
            cand --retries 'Retries for retryable failures [default: 3]'
            cand --fail-fast 'Stop at the first failed row'
            cand --resend-unknown 'Send transcripts again whose earlier outcome the portal cannot confirm'
            cand --if-absent 'Send no record to a call that already has one (voximplant.statistic.get)'
            cand -q 'No progress bar, no warnings'
            cand --quiet 'No progress bar, no warnings'
            cand -v 'One line per HTTP exchange on stderr'
            cand --verbose 'One line per HTTP exchange on stderr'
            cand --dry-run 'Validate everything and print the request that would be sent; send nothing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'b24tel;call'= {
            cand -p 'Profile in the config file'
            cand --profile 'Profile in the config file'
            cand --config 'Config file [default: <config dir>/b24tel/config.toml]'
            cand --webhook 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile'
            cand -o 'Output format [default: table on a terminal, json otherwise]'
            cand --output 'Output format [default: table on a terminal, json otherwise]'
            cand --timeout 'Give up on a request that makes no progress for this long [default: 60]'
            cand --retries 'Retries for retryable failures [default: 3]'
            cand -q 'No progress bar, no warnings'
            cand --quiet 'No progress bar, no warnings'
            cand -v 'One line per HTTP exchange on stderr'
            cand --verbose 'One line per HTTP exchange on stderr'
            cand --dry-run 'Validate everything and print the request that would be sent; send nothing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand register 'Register a call (telephony.externalCall.register) and print its CALL_ID'
            cand finish 'Finish a registered call (telephony.externalCall.finish)'
            cand show 'Show one finished call from the portal''s call statistics'
            cand list 'List finished calls, e.g. today''s calls that still lack a recording'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'b24tel;call;register'= {
            cand --phone 'The other party''s phone number (PHONE_NUMBER)'
            cand --user-id 'Bitrix24 user id of the call''s employee (USER_ID)'
            cand --user-phone-inner 'The employee''s internal phone number (USER_PHONE_INNER)'
            cand --type 'Call direction (TYPE 1-5)'
            cand --start 'When the call started, ISO 8601 [default: now, with the local offset]'
            cand --external-id 'Your PBX''s id for the call (EXTERNAL_CALL_ID), to find it again later'
            cand --line 'The line (LINE_NUMBER) the call came on'
            cand -p 'Profile in the config file'
            cand --profile 'Profile in the config file'
            cand --config 'Config file [default: <config dir>/b24tel/config.toml]'
            cand --webhook 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile'
            cand -o 'Output format [default: table on a terminal, json otherwise]'
            cand --output 'Output format [default: table on a terminal, json otherwise]'
            cand --timeout 'Give up on a request that makes no progress for this long [default: 60]'
            cand --retries 'Retries for retryable failures [default: 3]'
            cand --crm-create 'Let the portal create a CRM lead/contact for an unknown number (CRM_CREATE=1)'
            cand --show 'Show the call card to the user (SHOW=1)'
            cand -q 'No progress bar, no warnings'
            cand --quiet 'No progress bar, no warnings'
            cand -v 'One line per HTTP exchange on stderr'
            cand --verbose 'One line per HTTP exchange on stderr'
            cand --dry-run 'Validate everything and print the request that would be sent; send nothing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'b24tel;call;finish'= {
            cand --call-id 'CALL_ID from `b24tel call register`'
            cand --user-id 'Bitrix24 user id of the call''s employee (USER_ID)'
            cand --user-phone-inner 'The employee''s internal phone number (USER_PHONE_INNER)'
            cand --duration 'Talk time in seconds (DURATION)'
            cand --status-code 'SIP status code (STATUS_CODE) [default: 200 when --duration > 0, else 304]'
            cand --failed-reason 'Why the call failed (FAILED_REASON)'
            cand --cost 'Cost of the call (COST)'
            cand --currency 'Currency of the cost (three upper-case letters, COST_CURRENCY)'
            cand -p 'Profile in the config file'
            cand --profile 'Profile in the config file'
            cand --config 'Config file [default: <config dir>/b24tel/config.toml]'
            cand --webhook 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile'
            cand -o 'Output format [default: table on a terminal, json otherwise]'
            cand --output 'Output format [default: table on a terminal, json otherwise]'
            cand --timeout 'Give up on a request that makes no progress for this long [default: 60]'
            cand --retries 'Retries for retryable failures [default: 3]'
            cand --add-to-chat 'Post the call to the user''s chat (ADD_TO_CHAT=1; sent as 0 otherwise)'
            cand -q 'No progress bar, no warnings'
            cand --quiet 'No progress bar, no warnings'
            cand -v 'One line per HTTP exchange on stderr'
            cand --verbose 'One line per HTTP exchange on stderr'
            cand --dry-run 'Validate everything and print the request that would be sent; send nothing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'b24tel;call;show'= {
            cand --call-id 'CALL_ID of the call'
            cand --external-id 'EXTERNAL_CALL_ID given at register'
            cand -p 'Profile in the config file'
            cand --profile 'Profile in the config file'
            cand --config 'Config file [default: <config dir>/b24tel/config.toml]'
            cand --webhook 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile'
            cand -o 'Output format [default: table on a terminal, json otherwise]'
            cand --output 'Output format [default: table on a terminal, json otherwise]'
            cand --timeout 'Give up on a request that makes no progress for this long [default: 60]'
            cand --retries 'Retries for retryable failures [default: 3]'
            cand -q 'No progress bar, no warnings'
            cand --quiet 'No progress bar, no warnings'
            cand -v 'One line per HTTP exchange on stderr'
            cand --verbose 'One line per HTTP exchange on stderr'
            cand --dry-run 'Validate everything and print the request that would be sent; send nothing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'b24tel;call;list'= {
            cand --since 'Calls that started at or after WHEN: a duration back from now (24h, 30m) or ISO 8601'
            cand --until 'Calls that started at or before WHEN (as --since)'
            cand --missing 'Only calls without a recording or without a transcript'
            cand --limit 'At most N calls'
            cand -p 'Profile in the config file'
            cand --profile 'Profile in the config file'
            cand --config 'Config file [default: <config dir>/b24tel/config.toml]'
            cand --webhook 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile'
            cand -o 'Output format [default: table on a terminal, json otherwise]'
            cand --output 'Output format [default: table on a terminal, json otherwise]'
            cand --timeout 'Give up on a request that makes no progress for this long [default: 60]'
            cand --retries 'Retries for retryable failures [default: 3]'
            cand -q 'No progress bar, no warnings'
            cand --quiet 'No progress bar, no warnings'
            cand -v 'One line per HTTP exchange on stderr'
            cand --verbose 'One line per HTTP exchange on stderr'
            cand --dry-run 'Validate everything and print the request that would be sent; send nothing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'b24tel;call;help'= {
            cand register 'Register a call (telephony.externalCall.register) and print its CALL_ID'
            cand finish 'Finish a registered call (telephony.externalCall.finish)'
            cand show 'Show one finished call from the portal''s call statistics'
            cand list 'List finished calls, e.g. today''s calls that still lack a recording'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'b24tel;call;help;register'= {
        }
        &'b24tel;call;help;finish'= {
        }
        &'b24tel;call;help;show'= {
        }
        &'b24tel;call;help;list'= {
        }
        &'b24tel;call;help;help'= {
        }
        &'b24tel;smoke'= {
            cand --user-id 'Bitrix24 user the test call belongs to [default: the webhook''s own user]'
            cand -p 'Profile in the config file'
            cand --profile 'Profile in the config file'
            cand --config 'Config file [default: <config dir>/b24tel/config.toml]'
            cand --webhook 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile'
            cand -o 'Output format [default: table on a terminal, json otherwise]'
            cand --output 'Output format [default: table on a terminal, json otherwise]'
            cand --timeout 'Give up on a request that makes no progress for this long [default: 60]'
            cand --retries 'Retries for retryable failures [default: 3]'
            cand --keep-going 'Run every step even after one fails'
            cand -q 'No progress bar, no warnings'
            cand --quiet 'No progress bar, no warnings'
            cand -v 'One line per HTTP exchange on stderr'
            cand --verbose 'One line per HTTP exchange on stderr'
            cand --dry-run 'Validate everything and print the request that would be sent; send nothing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'b24tel;config'= {
            cand -p 'Profile in the config file'
            cand --profile 'Profile in the config file'
            cand --config 'Config file [default: <config dir>/b24tel/config.toml]'
            cand --webhook 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile'
            cand -o 'Output format [default: table on a terminal, json otherwise]'
            cand --output 'Output format [default: table on a terminal, json otherwise]'
            cand --timeout 'Give up on a request that makes no progress for this long [default: 60]'
            cand --retries 'Retries for retryable failures [default: 3]'
            cand -q 'No progress bar, no warnings'
            cand --quiet 'No progress bar, no warnings'
            cand -v 'One line per HTTP exchange on stderr'
            cand --verbose 'One line per HTTP exchange on stderr'
            cand --dry-run 'Validate everything and print the request that would be sent; send nothing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand init 'Write a webhook profile (-p NAME, --webhook URL) with mode 0600'
            cand show 'Show the config file''s profiles, secrets as ***'
            cand path 'Print where the config file is'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'b24tel;config;init'= {
            cand -p 'Profile in the config file'
            cand --profile 'Profile in the config file'
            cand --config 'Config file [default: <config dir>/b24tel/config.toml]'
            cand --webhook 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile'
            cand -o 'Output format [default: table on a terminal, json otherwise]'
            cand --output 'Output format [default: table on a terminal, json otherwise]'
            cand --timeout 'Give up on a request that makes no progress for this long [default: 60]'
            cand --retries 'Retries for retryable failures [default: 3]'
            cand --force 'Replace an existing profile of the same name'
            cand -q 'No progress bar, no warnings'
            cand --quiet 'No progress bar, no warnings'
            cand -v 'One line per HTTP exchange on stderr'
            cand --verbose 'One line per HTTP exchange on stderr'
            cand --dry-run 'Validate everything and print the request that would be sent; send nothing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'b24tel;config;show'= {
            cand -p 'Profile in the config file'
            cand --profile 'Profile in the config file'
            cand --config 'Config file [default: <config dir>/b24tel/config.toml]'
            cand --webhook 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile'
            cand -o 'Output format [default: table on a terminal, json otherwise]'
            cand --output 'Output format [default: table on a terminal, json otherwise]'
            cand --timeout 'Give up on a request that makes no progress for this long [default: 60]'
            cand --retries 'Retries for retryable failures [default: 3]'
            cand -q 'No progress bar, no warnings'
            cand --quiet 'No progress bar, no warnings'
            cand -v 'One line per HTTP exchange on stderr'
            cand --verbose 'One line per HTTP exchange on stderr'
            cand --dry-run 'Validate everything and print the request that would be sent; send nothing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'b24tel;config;path'= {
            cand -p 'Profile in the config file'
            cand --profile 'Profile in the config file'
            cand --config 'Config file [default: <config dir>/b24tel/config.toml]'
            cand --webhook 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile'
            cand -o 'Output format [default: table on a terminal, json otherwise]'
            cand --output 'Output format [default: table on a terminal, json otherwise]'
            cand --timeout 'Give up on a request that makes no progress for this long [default: 60]'
            cand --retries 'Retries for retryable failures [default: 3]'
            cand -q 'No progress bar, no warnings'
            cand --quiet 'No progress bar, no warnings'
            cand -v 'One line per HTTP exchange on stderr'
            cand --verbose 'One line per HTTP exchange on stderr'
            cand --dry-run 'Validate everything and print the request that would be sent; send nothing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'b24tel;config;help'= {
            cand init 'Write a webhook profile (-p NAME, --webhook URL) with mode 0600'
            cand show 'Show the config file''s profiles, secrets as ***'
            cand path 'Print where the config file is'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'b24tel;config;help;init'= {
        }
        &'b24tel;config;help;show'= {
        }
        &'b24tel;config;help;path'= {
        }
        &'b24tel;config;help;help'= {
        }
        &'b24tel;auth'= {
            cand -p 'Profile in the config file'
            cand --profile 'Profile in the config file'
            cand --config 'Config file [default: <config dir>/b24tel/config.toml]'
            cand --webhook 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile'
            cand -o 'Output format [default: table on a terminal, json otherwise]'
            cand --output 'Output format [default: table on a terminal, json otherwise]'
            cand --timeout 'Give up on a request that makes no progress for this long [default: 60]'
            cand --retries 'Retries for retryable failures [default: 3]'
            cand -q 'No progress bar, no warnings'
            cand --quiet 'No progress bar, no warnings'
            cand -v 'One line per HTTP exchange on stderr'
            cand --verbose 'One line per HTTP exchange on stderr'
            cand --dry-run 'Validate everything and print the request that would be sent; send nothing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand login 'Sign an app profile in: exchange an authorization code or seed a refresh token'
            cand status 'Show the profile, its token expiry and token server (never a token)'
            cand refresh 'Refresh the profile''s tokens now'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'b24tel;auth;login'= {
            cand --code 'The authorization code from the app''s redirect (`-` reads it from stdin)'
            cand --refresh-token 'A refresh token to start from (`-` reads it from stdin, keeping it out of `ps`)'
            cand -p 'Profile in the config file'
            cand --profile 'Profile in the config file'
            cand --config 'Config file [default: <config dir>/b24tel/config.toml]'
            cand --webhook 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile'
            cand -o 'Output format [default: table on a terminal, json otherwise]'
            cand --output 'Output format [default: table on a terminal, json otherwise]'
            cand --timeout 'Give up on a request that makes no progress for this long [default: 60]'
            cand --retries 'Retries for retryable failures [default: 3]'
            cand -q 'No progress bar, no warnings'
            cand --quiet 'No progress bar, no warnings'
            cand -v 'One line per HTTP exchange on stderr'
            cand --verbose 'One line per HTTP exchange on stderr'
            cand --dry-run 'Validate everything and print the request that would be sent; send nothing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'b24tel;auth;status'= {
            cand -p 'Profile in the config file'
            cand --profile 'Profile in the config file'
            cand --config 'Config file [default: <config dir>/b24tel/config.toml]'
            cand --webhook 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile'
            cand -o 'Output format [default: table on a terminal, json otherwise]'
            cand --output 'Output format [default: table on a terminal, json otherwise]'
            cand --timeout 'Give up on a request that makes no progress for this long [default: 60]'
            cand --retries 'Retries for retryable failures [default: 3]'
            cand -q 'No progress bar, no warnings'
            cand --quiet 'No progress bar, no warnings'
            cand -v 'One line per HTTP exchange on stderr'
            cand --verbose 'One line per HTTP exchange on stderr'
            cand --dry-run 'Validate everything and print the request that would be sent; send nothing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'b24tel;auth;refresh'= {
            cand -p 'Profile in the config file'
            cand --profile 'Profile in the config file'
            cand --config 'Config file [default: <config dir>/b24tel/config.toml]'
            cand --webhook 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile'
            cand -o 'Output format [default: table on a terminal, json otherwise]'
            cand --output 'Output format [default: table on a terminal, json otherwise]'
            cand --timeout 'Give up on a request that makes no progress for this long [default: 60]'
            cand --retries 'Retries for retryable failures [default: 3]'
            cand -q 'No progress bar, no warnings'
            cand --quiet 'No progress bar, no warnings'
            cand -v 'One line per HTTP exchange on stderr'
            cand --verbose 'One line per HTTP exchange on stderr'
            cand --dry-run 'Validate everything and print the request that would be sent; send nothing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'b24tel;auth;help'= {
            cand login 'Sign an app profile in: exchange an authorization code or seed a refresh token'
            cand status 'Show the profile, its token expiry and token server (never a token)'
            cand refresh 'Refresh the profile''s tokens now'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'b24tel;auth;help;login'= {
        }
        &'b24tel;auth;help;status'= {
        }
        &'b24tel;auth;help;refresh'= {
        }
        &'b24tel;auth;help;help'= {
        }
        &'b24tel;doctor'= {
            cand -p 'Profile in the config file'
            cand --profile 'Profile in the config file'
            cand --config 'Config file [default: <config dir>/b24tel/config.toml]'
            cand --webhook 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile'
            cand -o 'Output format [default: table on a terminal, json otherwise]'
            cand --output 'Output format [default: table on a terminal, json otherwise]'
            cand --timeout 'Give up on a request that makes no progress for this long [default: 60]'
            cand --retries 'Retries for retryable failures [default: 3]'
            cand -q 'No progress bar, no warnings'
            cand --quiet 'No progress bar, no warnings'
            cand -v 'One line per HTTP exchange on stderr'
            cand --verbose 'One line per HTTP exchange on stderr'
            cand --dry-run 'Validate everything and print the request that would be sent; send nothing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'b24tel;sandbox'= {
            cand --addr 'Address to listen on: IP:PORT, or a loopback name such as localhost:PORT; port 0 takes any free port'
            cand --data-dir 'Keep attached records and transcripts here [default: a temp dir removed on exit]'
            cand --fault 'Simulate a failure (repeatable): ratelimit:N, bucket:BURST:RATE, overload, html500, slow:SECS, timelimit:SECS, redirect, drop:N, no-statistics, each limitable to one method with @METHOD; or latency:METHOD=SECS'
            cand --webhook-code 'The webhook code in the webhook URL [default: random]'
            cand --access-token 'The first OAuth access token (as `auth`, `access_token` or a Bearer header) [default: random]'
            cand --scope 'Scopes the webhook has, comma separated'
            cand --token-lifetime 'OAuth access tokens answer 401 expired_token this many seconds after they are issued'
            cand -p 'Profile in the config file'
            cand --profile 'Profile in the config file'
            cand --config 'Config file [default: <config dir>/b24tel/config.toml]'
            cand --webhook 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile'
            cand -o 'Output format [default: table on a terminal, json otherwise]'
            cand --output 'Output format [default: table on a terminal, json otherwise]'
            cand --timeout 'Give up on a request that makes no progress for this long [default: 60]'
            cand --retries 'Retries for retryable failures [default: 3]'
            cand --strict 'Refuse what a real portal silently accepts and gets wrong (Base64 it decodes into a corrupt file, transcript times it truncates) instead of only logging it'
            cand --tls 'Serve https with a certificate from a CA generated at start; the CA is written to DATA_DIR/ca.pem and printed, for SSL_CERT_FILE / --cacert / ca_cert'
            cand -q 'No progress bar, no warnings'
            cand --quiet 'No progress bar, no warnings'
            cand -v 'One line per HTTP exchange on stderr'
            cand --verbose 'One line per HTTP exchange on stderr'
            cand --dry-run 'Validate everything and print the request that would be sent; send nothing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'b24tel;demo'= {
            cand -p 'Profile in the config file'
            cand --profile 'Profile in the config file'
            cand --config 'Config file [default: <config dir>/b24tel/config.toml]'
            cand --webhook 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile'
            cand -o 'Output format [default: table on a terminal, json otherwise]'
            cand --output 'Output format [default: table on a terminal, json otherwise]'
            cand --timeout 'Give up on a request that makes no progress for this long [default: 60]'
            cand --retries 'Retries for retryable failures [default: 3]'
            cand -q 'No progress bar, no warnings'
            cand --quiet 'No progress bar, no warnings'
            cand -v 'One line per HTTP exchange on stderr'
            cand --verbose 'One line per HTTP exchange on stderr'
            cand --dry-run 'Validate everything and print the request that would be sent; send nothing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'b24tel;completions'= {
            cand -p 'Profile in the config file'
            cand --profile 'Profile in the config file'
            cand --config 'Config file [default: <config dir>/b24tel/config.toml]'
            cand --webhook 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile'
            cand -o 'Output format [default: table on a terminal, json otherwise]'
            cand --output 'Output format [default: table on a terminal, json otherwise]'
            cand --timeout 'Give up on a request that makes no progress for this long [default: 60]'
            cand --retries 'Retries for retryable failures [default: 3]'
            cand -q 'No progress bar, no warnings'
            cand --quiet 'No progress bar, no warnings'
            cand -v 'One line per HTTP exchange on stderr'
            cand --verbose 'One line per HTTP exchange on stderr'
            cand --dry-run 'Validate everything and print the request that would be sent; send nothing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'b24tel;man'= {
            cand --out 'Write the pages into this folder (created if missing) instead of printing `b24tel.1`'
            cand -p 'Profile in the config file'
            cand --profile 'Profile in the config file'
            cand --config 'Config file [default: <config dir>/b24tel/config.toml]'
            cand --webhook 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile'
            cand -o 'Output format [default: table on a terminal, json otherwise]'
            cand --output 'Output format [default: table on a terminal, json otherwise]'
            cand --timeout 'Give up on a request that makes no progress for this long [default: 60]'
            cand --retries 'Retries for retryable failures [default: 3]'
            cand -q 'No progress bar, no warnings'
            cand --quiet 'No progress bar, no warnings'
            cand -v 'One line per HTTP exchange on stderr'
            cand --verbose 'One line per HTTP exchange on stderr'
            cand --dry-run 'Validate everything and print the request that would be sent; send nothing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'b24tel;help'= {
            cand record 'Attach call recordings'
            cand transcript 'Attach conversation transcripts'
            cand batch 'Attach every recording and transcript listed in a manifest (for cron; re-runnable)'
            cand call 'Register, finish and look up calls (telephony.externalCall.*, voximplant.statistic.get)'
            cand smoke 'Check a portal''s whole telephony path: register, finish, attach, read back'
            cand config 'Manage the config file and its profiles'
            cand auth 'Sign an OAuth app profile in once; unattended runs then refresh its tokens'
            cand doctor 'Check the config, the connection, the clock, authentication, the telephony scope and call statistics'
            cand sandbox 'Run a local stand-in portal for trying b24tel and testing scripts'
            cand demo 'Run `smoke` against a built-in sandbox portal, then show the commands to do it by hand'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page, or write every command''s page into a folder'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'b24tel;help;record'= {
            cand attach 'Attach a recording (.mp3/.wav) to a finished call, from a file or a URL'
            cand upload-url 'Get a one-off upload URL for a recording, and optionally upload the file to it'
        }
        &'b24tel;help;record;attach'= {
        }
        &'b24tel;help;record;upload-url'= {
        }
        &'b24tel;help;transcript'= {
            cand attach 'Attach a conversation transcript to a finished call'
        }
        &'b24tel;help;transcript;attach'= {
        }
        &'b24tel;help;batch'= {
        }
        &'b24tel;help;call'= {
            cand register 'Register a call (telephony.externalCall.register) and print its CALL_ID'
            cand finish 'Finish a registered call (telephony.externalCall.finish)'
            cand show 'Show one finished call from the portal''s call statistics'
            cand list 'List finished calls, e.g. today''s calls that still lack a recording'
        }
        &'b24tel;help;call;register'= {
        }
        &'b24tel;help;call;finish'= {
        }
        &'b24tel;help;call;show'= {
        }
        &'b24tel;help;call;list'= {
        }
        &'b24tel;help;smoke'= {
        }
        &'b24tel;help;config'= {
            cand init 'Write a webhook profile (-p NAME, --webhook URL) with mode 0600'
            cand show 'Show the config file''s profiles, secrets as ***'
            cand path 'Print where the config file is'
        }
        &'b24tel;help;config;init'= {
        }
        &'b24tel;help;config;show'= {
        }
        &'b24tel;help;config;path'= {
        }
        &'b24tel;help;auth'= {
            cand login 'Sign an app profile in: exchange an authorization code or seed a refresh token'
            cand status 'Show the profile, its token expiry and token server (never a token)'
            cand refresh 'Refresh the profile''s tokens now'
        }
        &'b24tel;help;auth;login'= {
        }
        &'b24tel;help;auth;status'= {
        }
        &'b24tel;help;auth;refresh'= {
        }
        &'b24tel;help;doctor'= {
        }
        &'b24tel;help;sandbox'= {
        }
        &'b24tel;help;demo'= {
        }
        &'b24tel;help;completions'= {
        }
        &'b24tel;help;man'= {
        }
        &'b24tel;help;help'= {
        }
    ]
    $completions[$command]
}
