
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'b24tel' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'b24tel'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'b24tel' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/b24tel/config.toml]')
            [CompletionResult]::new('--webhook', '--webhook', [CompletionResultType]::ParameterName, 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request that makes no progress for this long [default: 60]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries for retryable failures [default: 3]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Validate everything and print the request that would be sent; send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('record', 'record', [CompletionResultType]::ParameterValue, 'Attach call recordings')
            [CompletionResult]::new('transcript', 'transcript', [CompletionResultType]::ParameterValue, 'Attach conversation transcripts')
            [CompletionResult]::new('batch', 'batch', [CompletionResultType]::ParameterValue, 'Attach every recording and transcript listed in a manifest (for cron; re-runnable)')
            [CompletionResult]::new('call', 'call', [CompletionResultType]::ParameterValue, 'Register, finish and look up calls (telephony.externalCall.*, voximplant.statistic.get)')
            [CompletionResult]::new('smoke', 'smoke', [CompletionResultType]::ParameterValue, 'Check a portal''s whole telephony path: register, finish, attach, read back')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Manage the config file and its profiles')
            [CompletionResult]::new('auth', 'auth', [CompletionResultType]::ParameterValue, 'Sign an OAuth app profile in once; unattended runs then refresh its tokens')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check the config, the connection, the clock, authentication, the telephony scope and call statistics')
            [CompletionResult]::new('sandbox', 'sandbox', [CompletionResultType]::ParameterValue, 'Run a local stand-in portal for trying b24tel and testing scripts')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Run `smoke` against a built-in sandbox portal, then show the commands to do it by hand')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page, or write every command''s page into a folder')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'b24tel;record' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/b24tel/config.toml]')
            [CompletionResult]::new('--webhook', '--webhook', [CompletionResultType]::ParameterName, 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request that makes no progress for this long [default: 60]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries for retryable failures [default: 3]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Validate everything and print the request that would be sent; send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('attach', 'attach', [CompletionResultType]::ParameterValue, 'Attach a recording (.mp3/.wav) to a finished call, from a file or a URL')
            [CompletionResult]::new('upload-url', 'upload-url', [CompletionResultType]::ParameterValue, 'Get a one-off upload URL for a recording, and optionally upload the file to it')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'b24tel;record;attach' {
            [CompletionResult]::new('--call-id', '--call-id', [CompletionResultType]::ParameterName, 'CALL_ID from telephony.externalCall.register')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Recording file to send (streamed as Base64)')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'URL the portal downloads the recording from')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'Name to store the recording under [default: the file''s or URL''s name]')
            [CompletionResult]::new('--wait-for-call', '--wait-for-call', [CompletionResultType]::ParameterName, 'Keep asking while the portal says the call is not finished, up to SECS')
            [CompletionResult]::new('--convert', '--convert', [CompletionResultType]::ParameterName, 'auto: send PCM WAV and MP3 as they are, convert the rest to MP3; mp3/wav: always convert to that; never: send the file unchanged (.mp3/.wav only)')
            [CompletionResult]::new('--bitrate', '--bitrate', [CompletionResultType]::ParameterName, 'MP3 bitrate when converting, in kbps (CBR) [default: 32 per channel]')
            [CompletionResult]::new('--raw-rate', '--raw-rate', [CompletionResultType]::ParameterName, 'Sample rate of headerless .raw/.sln input [default: 8000; .sln16 is 16000]')
            [CompletionResult]::new('--raw-channels', '--raw-channels', [CompletionResultType]::ParameterName, 'Channels of headerless .raw/.sln input (2 for MixMonitor''s D option)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/b24tel/config.toml]')
            [CompletionResult]::new('--webhook', '--webhook', [CompletionResultType]::ParameterName, 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request that makes no progress for this long [default: 60]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries for retryable failures [default: 3]')
            [CompletionResult]::new('--no-sniff', '--no-sniff', [CompletionResultType]::ParameterName, 'Do not check that the content looks like MP3/WAV')
            [CompletionResult]::new('--if-absent', '--if-absent', [CompletionResultType]::ParameterName, 'Send nothing when the call already has a record (voximplant.statistic.get)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Validate everything and print the request that would be sent; send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'b24tel;record;upload-url' {
            [CompletionResult]::new('--call-id', '--call-id', [CompletionResultType]::ParameterName, 'CALL_ID from telephony.externalCall.register')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'Name of the recording (.mp3 or .wav)')
            [CompletionResult]::new('--upload', '--upload', [CompletionResultType]::ParameterName, 'Upload this file to the URL (raw, multipart/form-data) and print its FILE_ID')
            [CompletionResult]::new('--convert', '--convert', [CompletionResultType]::ParameterName, 'auto: send PCM WAV and MP3 as they are, convert the rest to MP3; mp3/wav: always convert to that; never: send the file unchanged (.mp3/.wav only)')
            [CompletionResult]::new('--bitrate', '--bitrate', [CompletionResultType]::ParameterName, 'MP3 bitrate when converting, in kbps (CBR) [default: 32 per channel]')
            [CompletionResult]::new('--raw-rate', '--raw-rate', [CompletionResultType]::ParameterName, 'Sample rate of headerless .raw/.sln input [default: 8000; .sln16 is 16000]')
            [CompletionResult]::new('--raw-channels', '--raw-channels', [CompletionResultType]::ParameterName, 'Channels of headerless .raw/.sln input (2 for MixMonitor''s D option)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/b24tel/config.toml]')
            [CompletionResult]::new('--webhook', '--webhook', [CompletionResultType]::ParameterName, 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request that makes no progress for this long [default: 60]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries for retryable failures [default: 3]')
            [CompletionResult]::new('--no-sniff', '--no-sniff', [CompletionResultType]::ParameterName, 'Do not check that the content looks like MP3/WAV (and convert nothing)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Validate everything and print the request that would be sent; send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'b24tel;record;help' {
            [CompletionResult]::new('attach', 'attach', [CompletionResultType]::ParameterValue, 'Attach a recording (.mp3/.wav) to a finished call, from a file or a URL')
            [CompletionResult]::new('upload-url', 'upload-url', [CompletionResultType]::ParameterValue, 'Get a one-off upload URL for a recording, and optionally upload the file to it')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'b24tel;record;help;attach' {
            break
        }
        'b24tel;record;help;upload-url' {
            break
        }
        'b24tel;record;help;help' {
            break
        }
        'b24tel;transcript' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/b24tel/config.toml]')
            [CompletionResult]::new('--webhook', '--webhook', [CompletionResultType]::ParameterName, 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request that makes no progress for this long [default: 60]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries for retryable failures [default: 3]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Validate everything and print the request that would be sent; send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('attach', 'attach', [CompletionResultType]::ParameterValue, 'Attach a conversation transcript to a finished call')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'b24tel;transcript;attach' {
            [CompletionResult]::new('--call-id', '--call-id', [CompletionResultType]::ParameterName, 'CALL_ID from telephony.externalCall.register')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Transcript file (json, csv, tsv, srt, vtt, whisper), or - for stdin')
            [CompletionResult]::new('--user-file', '--user-file', [CompletionResultType]::ParameterName, 'The user''s leg alone (one channel of a stereo call): every cue on User')
            [CompletionResult]::new('--client-file', '--client-file', [CompletionResultType]::ParameterName, 'The client''s leg alone: every cue on Client, merged with --user-file by time')
            [CompletionResult]::new('--message', '--message', [CompletionResultType]::ParameterName, 'One message as SIDE:START:STOP:TEXT (repeatable; the text may contain colons)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Input format [default: detected from the extension and content]')
            [CompletionResult]::new('--speaker', '--speaker', [CompletionResultType]::ParameterName, 'Map a speaker label to a side, e.g. SPEAKER_00=User (repeatable)')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'Map a channel, as the engine numbers it, to a side, e.g. 0=User (repeatable)')
            [CompletionResult]::new('--default-side', '--default-side', [CompletionResultType]::ParameterName, 'Side for cues without a speaker label')
            [CompletionResult]::new('--encoding', '--encoding', [CompletionResultType]::ParameterName, 'Text encoding of the file [default: UTF-8, or UTF-16 with a BOM]')
            [CompletionResult]::new('--cost', '--cost', [CompletionResultType]::ParameterName, 'Cost of the transcription, sent as COST')
            [CompletionResult]::new('--currency', '--currency', [CompletionResultType]::ParameterName, 'Currency of the cost (three upper-case letters), sent as COST_CURRENCY')
            [CompletionResult]::new('--wait-for-call', '--wait-for-call', [CompletionResultType]::ParameterName, 'Keep asking while the portal says the call is not finished, up to SECS')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/b24tel/config.toml]')
            [CompletionResult]::new('--webhook', '--webhook', [CompletionResultType]::ParameterName, 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request that makes no progress for this long [default: 60]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries for retryable failures [default: 3]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Validate everything and print the request that would be sent; send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'b24tel;transcript;help' {
            [CompletionResult]::new('attach', 'attach', [CompletionResultType]::ParameterValue, 'Attach a conversation transcript to a finished call')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'b24tel;transcript;help;attach' {
            break
        }
        'b24tel;transcript;help;help' {
            break
        }
        'b24tel;batch' {
            [CompletionResult]::new('--manifest', '--manifest', [CompletionResultType]::ParameterName, 'Manifest: CSV with a header, or JSON Lines, or - for stdin (call_id or external_call_id, record, transcript, user_transcript, client_transcript, filename)')
            [CompletionResult]::new('--journal', '--journal', [CompletionResultType]::ParameterName, 'Journal of what is done [default: <manifest>.journal; ./batch.journal for stdin]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Operations in flight at once')
            [CompletionResult]::new('--burst', '--burst', [CompletionResultType]::ParameterName, 'Requests that may leave at once (the portal''s bucket: 50, 250 on Enterprise)')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Requests per second the bucket drains (2, 5 on Enterprise)')
            [CompletionResult]::new('--min-age', '--min-age', [CompletionResultType]::ParameterName, 'Leave record files modified less than SECS ago for the next run')
            [CompletionResult]::new('--wait-for-call', '--wait-for-call', [CompletionResultType]::ParameterName, 'Retry "call not found / not finished" for up to SECS within this run')
            [CompletionResult]::new('--give-up-after', '--give-up-after', [CompletionResultType]::ParameterName, 'A row waiting for its call this long after it was first tried is failed')
            [CompletionResult]::new('--settle', '--settle', [CompletionResultType]::ParameterName, 'After a transcript request got no answer, how long its absence on the portal still means "may be landing" rather than "not landed"')
            [CompletionResult]::new('--convert', '--convert', [CompletionResultType]::ParameterName, 'auto: send PCM WAV and MP3 as they are, convert the rest to MP3; mp3/wav: always convert to that; never: send the file unchanged (.mp3/.wav only)')
            [CompletionResult]::new('--bitrate', '--bitrate', [CompletionResultType]::ParameterName, 'MP3 bitrate when converting, in kbps (CBR) [default: 32 per channel]')
            [CompletionResult]::new('--raw-rate', '--raw-rate', [CompletionResultType]::ParameterName, 'Sample rate of headerless .raw/.sln input [default: 8000; .sln16 is 16000]')
            [CompletionResult]::new('--raw-channels', '--raw-channels', [CompletionResultType]::ParameterName, 'Channels of headerless .raw/.sln input (2 for MixMonitor''s D option)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Input format [default: detected from the extension and content]')
            [CompletionResult]::new('--speaker', '--speaker', [CompletionResultType]::ParameterName, 'Map a speaker label to a side, e.g. SPEAKER_00=User (repeatable)')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'Map a channel, as the engine numbers it, to a side, e.g. 0=User (repeatable)')
            [CompletionResult]::new('--default-side', '--default-side', [CompletionResultType]::ParameterName, 'Side for cues without a speaker label')
            [CompletionResult]::new('--encoding', '--encoding', [CompletionResultType]::ParameterName, 'Text encoding of the file [default: UTF-8, or UTF-16 with a BOM]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/b24tel/config.toml]')
            [CompletionResult]::new('--webhook', '--webhook', [CompletionResultType]::ParameterName, 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request that makes no progress for this long [default: 60]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries for retryable failures [default: 3]')
            [CompletionResult]::new('--fail-fast', '--fail-fast', [CompletionResultType]::ParameterName, 'Stop at the first failed row')
            [CompletionResult]::new('--resend-unknown', '--resend-unknown', [CompletionResultType]::ParameterName, 'Send transcripts again whose earlier outcome the portal cannot confirm')
            [CompletionResult]::new('--if-absent', '--if-absent', [CompletionResultType]::ParameterName, 'Send no record to a call that already has one (voximplant.statistic.get)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Validate everything and print the request that would be sent; send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'b24tel;call' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/b24tel/config.toml]')
            [CompletionResult]::new('--webhook', '--webhook', [CompletionResultType]::ParameterName, 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request that makes no progress for this long [default: 60]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries for retryable failures [default: 3]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Validate everything and print the request that would be sent; send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('register', 'register', [CompletionResultType]::ParameterValue, 'Register a call (telephony.externalCall.register) and print its CALL_ID')
            [CompletionResult]::new('finish', 'finish', [CompletionResultType]::ParameterValue, 'Finish a registered call (telephony.externalCall.finish)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one finished call from the portal''s call statistics')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List finished calls, e.g. today''s calls that still lack a recording')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'b24tel;call;register' {
            [CompletionResult]::new('--phone', '--phone', [CompletionResultType]::ParameterName, 'The other party''s phone number (PHONE_NUMBER)')
            [CompletionResult]::new('--user-id', '--user-id', [CompletionResultType]::ParameterName, 'Bitrix24 user id of the call''s employee (USER_ID)')
            [CompletionResult]::new('--user-phone-inner', '--user-phone-inner', [CompletionResultType]::ParameterName, 'The employee''s internal phone number (USER_PHONE_INNER)')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Call direction (TYPE 1-5)')
            [CompletionResult]::new('--start', '--start', [CompletionResultType]::ParameterName, 'When the call started, ISO 8601 [default: now, with the local offset]')
            [CompletionResult]::new('--external-id', '--external-id', [CompletionResultType]::ParameterName, 'Your PBX''s id for the call (EXTERNAL_CALL_ID), to find it again later')
            [CompletionResult]::new('--line', '--line', [CompletionResultType]::ParameterName, 'The line (LINE_NUMBER) the call came on')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/b24tel/config.toml]')
            [CompletionResult]::new('--webhook', '--webhook', [CompletionResultType]::ParameterName, 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request that makes no progress for this long [default: 60]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries for retryable failures [default: 3]')
            [CompletionResult]::new('--crm-create', '--crm-create', [CompletionResultType]::ParameterName, 'Let the portal create a CRM lead/contact for an unknown number (CRM_CREATE=1)')
            [CompletionResult]::new('--show', '--show', [CompletionResultType]::ParameterName, 'Show the call card to the user (SHOW=1)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Validate everything and print the request that would be sent; send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'b24tel;call;finish' {
            [CompletionResult]::new('--call-id', '--call-id', [CompletionResultType]::ParameterName, 'CALL_ID from `b24tel call register`')
            [CompletionResult]::new('--user-id', '--user-id', [CompletionResultType]::ParameterName, 'Bitrix24 user id of the call''s employee (USER_ID)')
            [CompletionResult]::new('--user-phone-inner', '--user-phone-inner', [CompletionResultType]::ParameterName, 'The employee''s internal phone number (USER_PHONE_INNER)')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Talk time in seconds (DURATION)')
            [CompletionResult]::new('--status-code', '--status-code', [CompletionResultType]::ParameterName, 'SIP status code (STATUS_CODE) [default: 200 when --duration > 0, else 304]')
            [CompletionResult]::new('--failed-reason', '--failed-reason', [CompletionResultType]::ParameterName, 'Why the call failed (FAILED_REASON)')
            [CompletionResult]::new('--cost', '--cost', [CompletionResultType]::ParameterName, 'Cost of the call (COST)')
            [CompletionResult]::new('--currency', '--currency', [CompletionResultType]::ParameterName, 'Currency of the cost (three upper-case letters, COST_CURRENCY)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/b24tel/config.toml]')
            [CompletionResult]::new('--webhook', '--webhook', [CompletionResultType]::ParameterName, 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request that makes no progress for this long [default: 60]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries for retryable failures [default: 3]')
            [CompletionResult]::new('--add-to-chat', '--add-to-chat', [CompletionResultType]::ParameterName, 'Post the call to the user''s chat (ADD_TO_CHAT=1; sent as 0 otherwise)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Validate everything and print the request that would be sent; send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'b24tel;call;show' {
            [CompletionResult]::new('--call-id', '--call-id', [CompletionResultType]::ParameterName, 'CALL_ID of the call')
            [CompletionResult]::new('--external-id', '--external-id', [CompletionResultType]::ParameterName, 'EXTERNAL_CALL_ID given at register')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/b24tel/config.toml]')
            [CompletionResult]::new('--webhook', '--webhook', [CompletionResultType]::ParameterName, 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request that makes no progress for this long [default: 60]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries for retryable failures [default: 3]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Validate everything and print the request that would be sent; send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'b24tel;call;list' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Calls that started at or after WHEN: a duration back from now (24h, 30m) or ISO 8601')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Calls that started at or before WHEN (as --since)')
            [CompletionResult]::new('--missing', '--missing', [CompletionResultType]::ParameterName, 'Only calls without a recording or without a transcript')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most N calls')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/b24tel/config.toml]')
            [CompletionResult]::new('--webhook', '--webhook', [CompletionResultType]::ParameterName, 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request that makes no progress for this long [default: 60]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries for retryable failures [default: 3]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Validate everything and print the request that would be sent; send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'b24tel;call;help' {
            [CompletionResult]::new('register', 'register', [CompletionResultType]::ParameterValue, 'Register a call (telephony.externalCall.register) and print its CALL_ID')
            [CompletionResult]::new('finish', 'finish', [CompletionResultType]::ParameterValue, 'Finish a registered call (telephony.externalCall.finish)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one finished call from the portal''s call statistics')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List finished calls, e.g. today''s calls that still lack a recording')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'b24tel;call;help;register' {
            break
        }
        'b24tel;call;help;finish' {
            break
        }
        'b24tel;call;help;show' {
            break
        }
        'b24tel;call;help;list' {
            break
        }
        'b24tel;call;help;help' {
            break
        }
        'b24tel;smoke' {
            [CompletionResult]::new('--user-id', '--user-id', [CompletionResultType]::ParameterName, 'Bitrix24 user the test call belongs to [default: the webhook''s own user]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/b24tel/config.toml]')
            [CompletionResult]::new('--webhook', '--webhook', [CompletionResultType]::ParameterName, 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request that makes no progress for this long [default: 60]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries for retryable failures [default: 3]')
            [CompletionResult]::new('--keep-going', '--keep-going', [CompletionResultType]::ParameterName, 'Run every step even after one fails')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Validate everything and print the request that would be sent; send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'b24tel;config' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/b24tel/config.toml]')
            [CompletionResult]::new('--webhook', '--webhook', [CompletionResultType]::ParameterName, 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request that makes no progress for this long [default: 60]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries for retryable failures [default: 3]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Validate everything and print the request that would be sent; send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a webhook profile (-p NAME, --webhook URL) with mode 0600')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the config file''s profiles, secrets as ***')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print where the config file is')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'b24tel;config;init' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/b24tel/config.toml]')
            [CompletionResult]::new('--webhook', '--webhook', [CompletionResultType]::ParameterName, 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request that makes no progress for this long [default: 60]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries for retryable failures [default: 3]')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace an existing profile of the same name')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Validate everything and print the request that would be sent; send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'b24tel;config;show' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/b24tel/config.toml]')
            [CompletionResult]::new('--webhook', '--webhook', [CompletionResultType]::ParameterName, 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request that makes no progress for this long [default: 60]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries for retryable failures [default: 3]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Validate everything and print the request that would be sent; send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'b24tel;config;path' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/b24tel/config.toml]')
            [CompletionResult]::new('--webhook', '--webhook', [CompletionResultType]::ParameterName, 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request that makes no progress for this long [default: 60]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries for retryable failures [default: 3]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Validate everything and print the request that would be sent; send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'b24tel;config;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a webhook profile (-p NAME, --webhook URL) with mode 0600')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the config file''s profiles, secrets as ***')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print where the config file is')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'b24tel;config;help;init' {
            break
        }
        'b24tel;config;help;show' {
            break
        }
        'b24tel;config;help;path' {
            break
        }
        'b24tel;config;help;help' {
            break
        }
        'b24tel;auth' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/b24tel/config.toml]')
            [CompletionResult]::new('--webhook', '--webhook', [CompletionResultType]::ParameterName, 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request that makes no progress for this long [default: 60]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries for retryable failures [default: 3]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Validate everything and print the request that would be sent; send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Sign an app profile in: exchange an authorization code or seed a refresh token')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the profile, its token expiry and token server (never a token)')
            [CompletionResult]::new('refresh', 'refresh', [CompletionResultType]::ParameterValue, 'Refresh the profile''s tokens now')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'b24tel;auth;login' {
            [CompletionResult]::new('--code', '--code', [CompletionResultType]::ParameterName, 'The authorization code from the app''s redirect (`-` reads it from stdin)')
            [CompletionResult]::new('--refresh-token', '--refresh-token', [CompletionResultType]::ParameterName, 'A refresh token to start from (`-` reads it from stdin, keeping it out of `ps`)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/b24tel/config.toml]')
            [CompletionResult]::new('--webhook', '--webhook', [CompletionResultType]::ParameterName, 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request that makes no progress for this long [default: 60]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries for retryable failures [default: 3]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Validate everything and print the request that would be sent; send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'b24tel;auth;status' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/b24tel/config.toml]')
            [CompletionResult]::new('--webhook', '--webhook', [CompletionResultType]::ParameterName, 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request that makes no progress for this long [default: 60]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries for retryable failures [default: 3]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Validate everything and print the request that would be sent; send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'b24tel;auth;refresh' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/b24tel/config.toml]')
            [CompletionResult]::new('--webhook', '--webhook', [CompletionResultType]::ParameterName, 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request that makes no progress for this long [default: 60]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries for retryable failures [default: 3]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Validate everything and print the request that would be sent; send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'b24tel;auth;help' {
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Sign an app profile in: exchange an authorization code or seed a refresh token')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the profile, its token expiry and token server (never a token)')
            [CompletionResult]::new('refresh', 'refresh', [CompletionResultType]::ParameterValue, 'Refresh the profile''s tokens now')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'b24tel;auth;help;login' {
            break
        }
        'b24tel;auth;help;status' {
            break
        }
        'b24tel;auth;help;refresh' {
            break
        }
        'b24tel;auth;help;help' {
            break
        }
        'b24tel;doctor' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/b24tel/config.toml]')
            [CompletionResult]::new('--webhook', '--webhook', [CompletionResultType]::ParameterName, 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request that makes no progress for this long [default: 60]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries for retryable failures [default: 3]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Validate everything and print the request that would be sent; send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'b24tel;sandbox' {
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Address to listen on: IP:PORT, or a loopback name such as localhost:PORT; port 0 takes any free port')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Keep attached records and transcripts here [default: a temp dir removed on exit]')
            [CompletionResult]::new('--fault', '--fault', [CompletionResultType]::ParameterName, 'Simulate a failure (repeatable): ratelimit:N, bucket:BURST:RATE, overload, html500, slow:SECS, timelimit:SECS, redirect, drop:N, no-statistics, each limitable to one method with @METHOD; or latency:METHOD=SECS')
            [CompletionResult]::new('--webhook-code', '--webhook-code', [CompletionResultType]::ParameterName, 'The webhook code in the webhook URL [default: random]')
            [CompletionResult]::new('--access-token', '--access-token', [CompletionResultType]::ParameterName, 'The first OAuth access token (as `auth`, `access_token` or a Bearer header) [default: random]')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'Scopes the webhook has, comma separated')
            [CompletionResult]::new('--token-lifetime', '--token-lifetime', [CompletionResultType]::ParameterName, 'OAuth access tokens answer 401 expired_token this many seconds after they are issued')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/b24tel/config.toml]')
            [CompletionResult]::new('--webhook', '--webhook', [CompletionResultType]::ParameterName, 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request that makes no progress for this long [default: 60]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries for retryable failures [default: 3]')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Refuse what a real portal silently accepts and gets wrong (Base64 it decodes into a corrupt file, transcript times it truncates) instead of only logging it')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Serve https with a certificate from a CA generated at start; the CA is written to DATA_DIR/ca.pem and printed, for SSL_CERT_FILE / --cacert / ca_cert')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Validate everything and print the request that would be sent; send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'b24tel;demo' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/b24tel/config.toml]')
            [CompletionResult]::new('--webhook', '--webhook', [CompletionResultType]::ParameterName, 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request that makes no progress for this long [default: 60]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries for retryable failures [default: 3]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Validate everything and print the request that would be sent; send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'b24tel;completions' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/b24tel/config.toml]')
            [CompletionResult]::new('--webhook', '--webhook', [CompletionResultType]::ParameterName, 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request that makes no progress for this long [default: 60]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries for retryable failures [default: 3]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Validate everything and print the request that would be sent; send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'b24tel;man' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write the pages into this folder (created if missing) instead of printing `b24tel.1`')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/b24tel/config.toml]')
            [CompletionResult]::new('--webhook', '--webhook', [CompletionResultType]::ParameterName, 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request that makes no progress for this long [default: 60]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries for retryable failures [default: 3]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar, no warnings')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One line per HTTP exchange on stderr')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Validate everything and print the request that would be sent; send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'b24tel;help' {
            [CompletionResult]::new('record', 'record', [CompletionResultType]::ParameterValue, 'Attach call recordings')
            [CompletionResult]::new('transcript', 'transcript', [CompletionResultType]::ParameterValue, 'Attach conversation transcripts')
            [CompletionResult]::new('batch', 'batch', [CompletionResultType]::ParameterValue, 'Attach every recording and transcript listed in a manifest (for cron; re-runnable)')
            [CompletionResult]::new('call', 'call', [CompletionResultType]::ParameterValue, 'Register, finish and look up calls (telephony.externalCall.*, voximplant.statistic.get)')
            [CompletionResult]::new('smoke', 'smoke', [CompletionResultType]::ParameterValue, 'Check a portal''s whole telephony path: register, finish, attach, read back')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Manage the config file and its profiles')
            [CompletionResult]::new('auth', 'auth', [CompletionResultType]::ParameterValue, 'Sign an OAuth app profile in once; unattended runs then refresh its tokens')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check the config, the connection, the clock, authentication, the telephony scope and call statistics')
            [CompletionResult]::new('sandbox', 'sandbox', [CompletionResultType]::ParameterValue, 'Run a local stand-in portal for trying b24tel and testing scripts')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Run `smoke` against a built-in sandbox portal, then show the commands to do it by hand')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page, or write every command''s page into a folder')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'b24tel;help;record' {
            [CompletionResult]::new('attach', 'attach', [CompletionResultType]::ParameterValue, 'Attach a recording (.mp3/.wav) to a finished call, from a file or a URL')
            [CompletionResult]::new('upload-url', 'upload-url', [CompletionResultType]::ParameterValue, 'Get a one-off upload URL for a recording, and optionally upload the file to it')
            break
        }
        'b24tel;help;record;attach' {
            break
        }
        'b24tel;help;record;upload-url' {
            break
        }
        'b24tel;help;transcript' {
            [CompletionResult]::new('attach', 'attach', [CompletionResultType]::ParameterValue, 'Attach a conversation transcript to a finished call')
            break
        }
        'b24tel;help;transcript;attach' {
            break
        }
        'b24tel;help;batch' {
            break
        }
        'b24tel;help;call' {
            [CompletionResult]::new('register', 'register', [CompletionResultType]::ParameterValue, 'Register a call (telephony.externalCall.register) and print its CALL_ID')
            [CompletionResult]::new('finish', 'finish', [CompletionResultType]::ParameterValue, 'Finish a registered call (telephony.externalCall.finish)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one finished call from the portal''s call statistics')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List finished calls, e.g. today''s calls that still lack a recording')
            break
        }
        'b24tel;help;call;register' {
            break
        }
        'b24tel;help;call;finish' {
            break
        }
        'b24tel;help;call;show' {
            break
        }
        'b24tel;help;call;list' {
            break
        }
        'b24tel;help;smoke' {
            break
        }
        'b24tel;help;config' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a webhook profile (-p NAME, --webhook URL) with mode 0600')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the config file''s profiles, secrets as ***')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print where the config file is')
            break
        }
        'b24tel;help;config;init' {
            break
        }
        'b24tel;help;config;show' {
            break
        }
        'b24tel;help;config;path' {
            break
        }
        'b24tel;help;auth' {
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Sign an app profile in: exchange an authorization code or seed a refresh token')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the profile, its token expiry and token server (never a token)')
            [CompletionResult]::new('refresh', 'refresh', [CompletionResultType]::ParameterValue, 'Refresh the profile''s tokens now')
            break
        }
        'b24tel;help;auth;login' {
            break
        }
        'b24tel;help;auth;status' {
            break
        }
        'b24tel;help;auth;refresh' {
            break
        }
        'b24tel;help;doctor' {
            break
        }
        'b24tel;help;sandbox' {
            break
        }
        'b24tel;help;demo' {
            break
        }
        'b24tel;help;completions' {
            break
        }
        'b24tel;help;man' {
            break
        }
        'b24tel;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
