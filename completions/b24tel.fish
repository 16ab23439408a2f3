# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_b24tel_global_optspecs
    string join \n p/profile= config= webhook= o/output= q/quiet v/verbose dry-run timeout= retries= h/help V/version
end

function __fish_b24tel_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_b24tel_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_b24tel_using_subcommand
    set -l cmd (__fish_b24tel_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c b24tel -n "__fish_b24tel_needs_command" -s p -l profile -d 'Profile in the config file' -r
complete -c b24tel -n "__fish_b24tel_needs_command" -l config -d 'Config file [default: <config dir>/b24tel/config.toml]' -r -F
complete -c b24tel -n "__fish_b24tel_needs_command" -l webhook -d 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile' -r
complete -c b24tel -n "__fish_b24tel_needs_command" -s o -l output -d 'Output format [default: table on a terminal, json otherwise]' -r -f -a "json\t''
table\t''"
complete -c b24tel -n "__fish_b24tel_needs_command" -l timeout -d 'Give up on a request that makes no progress for this long [default: 60]' -r
complete -c b24tel -n "__fish_b24tel_needs_command" -l retries -d 'Retries for retryable failures [default: 3]' -r
complete -c b24tel -n "__fish_b24tel_needs_command" -s q -l quiet -d 'No progress bar, no warnings'
complete -c b24tel -n "__fish_b24tel_needs_command" -s v -l verbose -d 'One line per HTTP exchange on stderr'
complete -c b24tel -n "__fish_b24tel_needs_command" -l dry-run -d 'Validate everything and print the request that would be sent; send nothing'
complete -c b24tel -n "__fish_b24tel_needs_command" -s h -l help -d 'Print help'
complete -c b24tel -n "__fish_b24tel_needs_command" -s V -l version -d 'Print version'
complete -c b24tel -n "__fish_b24tel_needs_command" -f -a "record" -d 'Attach call recordings'
complete -c b24tel -n "__fish_b24tel_needs_command" -f -a "transcript" -d 'Attach conversation transcripts'
complete -c b24tel -n "__fish_b24tel_needs_command" -f -a "batch" -d 'Attach every recording and transcript listed in a manifest (for cron; re-runnable)'
complete -c b24tel -n "__fish_b24tel_needs_command" -f -a "call" -d 'Register, finish and look up calls (telephony.externalCall.*, voximplant.statistic.get)'
complete -c b24tel -n "__fish_b24tel_needs_command" -f -a "smoke" -d 'Check a portal\'s whole telephony path: register, finish, attach, read back'
complete -c b24tel -n "__fish_b24tel_needs_command" -f -a "config" -d 'Manage the config file and its profiles'
complete -c b24tel -n "__fish_b24tel_needs_command" -f -a "auth" -d 'Sign an OAuth app profile in once; unattended runs then refresh its tokens'
complete -c b24tel -n "__fish_b24tel_needs_command" -f -a "doctor" -d 'Check the config, the connection, the clock, authentication, the telephony scope and call statistics'
complete -c b24tel -n "__fish_b24tel_needs_command" -f -a "sandbox" -d 'Run a local stand-in portal for trying b24tel and testing scripts'
complete -c b24tel -n "__fish_b24tel_needs_command" -f -a "demo" -d 'Run `smoke` against a built-in sandbox portal, then show the commands to do it by hand'
complete -c b24tel -n "__fish_b24tel_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c b24tel -n "__fish_b24tel_needs_command" -f -a "man" -d 'Print the man page, or write every command\'s page into a folder'
complete -c b24tel -n "__fish_b24tel_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and not __fish_seen_subcommand_from attach upload-url help" -s p -l profile -d 'Profile in the config file' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and not __fish_seen_subcommand_from attach upload-url help" -l config -d 'Config file [default: <config dir>/b24tel/config.toml]' -r -F
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and not __fish_seen_subcommand_from attach upload-url help" -l webhook -d 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and not __fish_seen_subcommand_from attach upload-url help" -s o -l output -d 'Output format [default: table on a terminal, json otherwise]' -r -f -a "json\t''
table\t''"
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and not __fish_seen_subcommand_from attach upload-url help" -l timeout -d 'Give up on a request that makes no progress for this long [default: 60]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and not __fish_seen_subcommand_from attach upload-url help" -l retries -d 'Retries for retryable failures [default: 3]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and not __fish_seen_subcommand_from attach upload-url help" -s q -l quiet -d 'No progress bar, no warnings'
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and not __fish_seen_subcommand_from attach upload-url help" -s v -l verbose -d 'One line per HTTP exchange on stderr'
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and not __fish_seen_subcommand_from attach upload-url help" -l dry-run -d 'Validate everything and print the request that would be sent; send nothing'
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and not __fish_seen_subcommand_from attach upload-url help" -s h -l help -d 'Print help'
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and not __fish_seen_subcommand_from attach upload-url help" -s V -l version -d 'Print version'
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and not __fish_seen_subcommand_from attach upload-url help" -f -a "attach" -d 'Attach a recording (.mp3/.wav) to a finished call, from a file or a URL'
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and not __fish_seen_subcommand_from attach upload-url help" -f -a "upload-url" -d 'Get a one-off upload URL for a recording, and optionally upload the file to it'
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and not __fish_seen_subcommand_from attach upload-url help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from attach" -l call-id -d 'CALL_ID from telephony.externalCall.register' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from attach" -l file -d 'Recording file to send (streamed as Base64)' -r -F
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from attach" -l url -d 'URL the portal downloads the recording from' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from attach" -l filename -d 'Name to store the recording under [default: the file\'s or URL\'s name]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from attach" -l wait-for-call -d 'Keep asking while the portal says the call is not finished, up to SECS' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from attach" -l convert -d 'auto: send PCM WAV and MP3 as they are, convert the rest to MP3; mp3/wav: always convert to that; never: send the file unchanged (.mp3/.wav only)' -r -f -a "auto\t'PCM WAV and MP3 as they are, everything else to MP3'
mp3\t'Always to MP3'
wav\t'Always to 16-bit PCM WAV'
never\t'Never: send the file unchanged (.mp3/.wav only)'"
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from attach" -l bitrate -d 'MP3 bitrate when converting, in kbps (CBR) [default: 32 per channel]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from attach" -l raw-rate -d 'Sample rate of headerless .raw/.sln input [default: 8000; .sln16 is 16000]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from attach" -l raw-channels -d 'Channels of headerless .raw/.sln input (2 for MixMonitor\'s D option)' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from attach" -s p -l profile -d 'Profile in the config file' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from attach" -l config -d 'Config file [default: <config dir>/b24tel/config.toml]' -r -F
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from attach" -l webhook -d 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from attach" -s o -l output -d 'Output format [default: table on a terminal, json otherwise]' -r -f -a "json\t''
table\t''"
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from attach" -l timeout -d 'Give up on a request that makes no progress for this long [default: 60]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from attach" -l retries -d 'Retries for retryable failures [default: 3]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from attach" -l no-sniff -d 'Do not check that the content looks like MP3/WAV'
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from attach" -l if-absent -d 'Send nothing when the call already has a record (voximplant.statistic.get)'
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from attach" -s q -l quiet -d 'No progress bar, no warnings'
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from attach" -s v -l verbose -d 'One line per HTTP exchange on stderr'
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from attach" -l dry-run -d 'Validate everything and print the request that would be sent; send nothing'
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from attach" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from attach" -s V -l version -d 'Print version'
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from upload-url" -l call-id -d 'CALL_ID from telephony.externalCall.register' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from upload-url" -l filename -d 'Name of the recording (.mp3 or .wav)' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from upload-url" -l upload -d 'Upload this file to the URL (raw, multipart/form-data) and print its FILE_ID' -r -F
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from upload-url" -l convert -d 'auto: send PCM WAV and MP3 as they are, convert the rest to MP3; mp3/wav: always convert to that; never: send the file unchanged (.mp3/.wav only)' -r -f -a "auto\t'PCM WAV and MP3 as they are, everything else to MP3'
mp3\t'Always to MP3'
wav\t'Always to 16-bit PCM WAV'
never\t'Never: send the file unchanged (.mp3/.wav only)'"
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from upload-url" -l bitrate -d 'MP3 bitrate when converting, in kbps (CBR) [default: 32 per channel]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from upload-url" -l raw-rate -d 'Sample rate of headerless .raw/.sln input [default: 8000; .sln16 is 16000]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from upload-url" -l raw-channels -d 'Channels of headerless .raw/.sln input (2 for MixMonitor\'s D option)' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from upload-url" -s p -l profile -d 'Profile in the config file' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from upload-url" -l config -d 'Config file [default: <config dir>/b24tel/config.toml]' -r -F
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from upload-url" -l webhook -d 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from upload-url" -s o -l output -d 'Output format [default: table on a terminal, json otherwise]' -r -f -a "json\t''
table\t''"
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from upload-url" -l timeout -d 'Give up on a request that makes no progress for this long [default: 60]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from upload-url" -l retries -d 'Retries for retryable failures [default: 3]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from upload-url" -l no-sniff -d 'Do not check that the content looks like MP3/WAV (and convert nothing)'
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from upload-url" -s q -l quiet -d 'No progress bar, no warnings'
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from upload-url" -s v -l verbose -d 'One line per HTTP exchange on stderr'
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from upload-url" -l dry-run -d 'Validate everything and print the request that would be sent; send nothing'
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from upload-url" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from upload-url" -s V -l version -d 'Print version'
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from help" -f -a "attach" -d 'Attach a recording (.mp3/.wav) to a finished call, from a file or a URL'
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from help" -f -a "upload-url" -d 'Get a one-off upload URL for a recording, and optionally upload the file to it'
complete -c b24tel -n "__fish_b24tel_using_subcommand record; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and not __fish_seen_subcommand_from attach help" -s p -l profile -d 'Profile in the config file' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and not __fish_seen_subcommand_from attach help" -l config -d 'Config file [default: <config dir>/b24tel/config.toml]' -r -F
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and not __fish_seen_subcommand_from attach help" -l webhook -d 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and not __fish_seen_subcommand_from attach help" -s o -l output -d 'Output format [default: table on a terminal, json otherwise]' -r -f -a "json\t''
table\t''"
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and not __fish_seen_subcommand_from attach help" -l timeout -d 'Give up on a request that makes no progress for this long [default: 60]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and not __fish_seen_subcommand_from attach help" -l retries -d 'Retries for retryable failures [default: 3]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and not __fish_seen_subcommand_from attach help" -s q -l quiet -d 'No progress bar, no warnings'
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and not __fish_seen_subcommand_from attach help" -s v -l verbose -d 'One line per HTTP exchange on stderr'
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and not __fish_seen_subcommand_from attach help" -l dry-run -d 'Validate everything and print the request that would be sent; send nothing'
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and not __fish_seen_subcommand_from attach help" -s h -l help -d 'Print help'
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and not __fish_seen_subcommand_from attach help" -s V -l version -d 'Print version'
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and not __fish_seen_subcommand_from attach help" -f -a "attach" -d 'Attach a conversation transcript to a finished call'
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and not __fish_seen_subcommand_from attach help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and __fish_seen_subcommand_from attach" -l call-id -d 'CALL_ID from telephony.externalCall.register' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and __fish_seen_subcommand_from attach" -l file -d 'Transcript file (json, csv, tsv, srt, vtt, whisper), or - for stdin' -r -F
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and __fish_seen_subcommand_from attach" -l user-file -d 'The user\'s leg alone (one channel of a stereo call): every cue on User' -r -F
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and __fish_seen_subcommand_from attach" -l client-file -d 'The client\'s leg alone: every cue on Client, merged with --user-file by time' -r -F
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and __fish_seen_subcommand_from attach" -l message -d 'One message as SIDE:START:STOP:TEXT (repeatable; the text may contain colons)' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and __fish_seen_subcommand_from attach" -l format -d 'Input format [default: detected from the extension and content]' -r -f -a "auto\t'By extension, else by content'
json\t'An array of messages, or {"messages": [...]}'
csv\t'A header row naming side, start, stop, message'
tsv\t'whisper / whisperX `.tsv`: start, end (integer milliseconds), text'
srt\t'SubRip subtitles'
vtt\t'WebVTT subtitles'
whisper\t'openai-whisper / faster-whisper / whisperX / stable-ts JSON'
yandex\t'Yandex SpeechKit v2 async result or v3 JSON / JSON Lines'
vosk\t'Vosk recogniser results (JSON Lines or an array)'
deepgram\t'Deepgram pre-recorded response'
assemblyai\t'AssemblyAI transcript'
aws\t'AWS Transcribe output'
google\t'Google Speech-to-Text response'
azure\t'Azure batch transcription result'"
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and __fish_seen_subcommand_from attach" -l speaker -d 'Map a speaker label to a side, e.g. SPEAKER_00=User (repeatable)' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and __fish_seen_subcommand_from attach" -l channel -d 'Map a channel, as the engine numbers it, to a side, e.g. 0=User (repeatable)' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and __fish_seen_subcommand_from attach" -l default-side -d 'Side for cues without a speaker label' -r -f -a "User\t''
Client\t''"
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and __fish_seen_subcommand_from attach" -l encoding -d 'Text encoding of the file [default: UTF-8, or UTF-16 with a BOM]' -r -f -a "auto\t'UTF-8 (BOM or not), or UTF-16 with a BOM'
utf-8\t''
utf-16\t'UTF-16; the byte order from the BOM, else guessed'
cp1251\t'Windows-1251 (Cyrillic)'
koi8-r\t''"
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and __fish_seen_subcommand_from attach" -l cost -d 'Cost of the transcription, sent as COST' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and __fish_seen_subcommand_from attach" -l currency -d 'Currency of the cost (three upper-case letters), sent as COST_CURRENCY' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and __fish_seen_subcommand_from attach" -l wait-for-call -d 'Keep asking while the portal says the call is not finished, up to SECS' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and __fish_seen_subcommand_from attach" -s p -l profile -d 'Profile in the config file' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and __fish_seen_subcommand_from attach" -l config -d 'Config file [default: <config dir>/b24tel/config.toml]' -r -F
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and __fish_seen_subcommand_from attach" -l webhook -d 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and __fish_seen_subcommand_from attach" -s o -l output -d 'Output format [default: table on a terminal, json otherwise]' -r -f -a "json\t''
table\t''"
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and __fish_seen_subcommand_from attach" -l timeout -d 'Give up on a request that makes no progress for this long [default: 60]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and __fish_seen_subcommand_from attach" -l retries -d 'Retries for retryable failures [default: 3]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and __fish_seen_subcommand_from attach" -s q -l quiet -d 'No progress bar, no warnings'
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and __fish_seen_subcommand_from attach" -s v -l verbose -d 'One line per HTTP exchange on stderr'
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and __fish_seen_subcommand_from attach" -l dry-run -d 'Validate everything and print the request that would be sent; send nothing'
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and __fish_seen_subcommand_from attach" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and __fish_seen_subcommand_from attach" -s V -l version -d 'Print version'
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and __fish_seen_subcommand_from help" -f -a "attach" -d 'Attach a conversation transcript to a finished call'
complete -c b24tel -n "__fish_b24tel_using_subcommand transcript; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c b24tel -n "__fish_b24tel_using_subcommand batch" -l manifest -d 'Manifest: CSV with a header, or JSON Lines, or - for stdin (call_id or external_call_id, record, transcript, user_transcript, client_transcript, filename)' -r -F
complete -c b24tel -n "__fish_b24tel_using_subcommand batch" -l journal -d 'Journal of what is done [default: <manifest>.journal; ./batch.journal for stdin]' -r -F
complete -c b24tel -n "__fish_b24tel_using_subcommand batch" -l jobs -d 'Operations in flight at once' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand batch" -l burst -d 'Requests that may leave at once (the portal\'s bucket: 50, 250 on Enterprise)' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand batch" -l rate -d 'Requests per second the bucket drains (2, 5 on Enterprise)' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand batch" -l min-age -d 'Leave record files modified less than SECS ago for the next run' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand batch" -l wait-for-call -d 'Retry "call not found / not finished" for up to SECS within this run' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand batch" -l give-up-after -d 'A row waiting for its call this long after it was first tried is failed' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand batch" -l settle -d 'After a transcript request got no answer, how long its absence on the portal still means "may be landing" rather than "not landed"' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand batch" -l convert -d 'auto: send PCM WAV and MP3 as they are, convert the rest to MP3; mp3/wav: always convert to that; never: send the file unchanged (.mp3/.wav only)' -r -f -a "auto\t'PCM WAV and MP3 as they are, everything else to MP3'
mp3\t'Always to MP3'
wav\t'Always to 16-bit PCM WAV'
never\t'Never: send the file unchanged (.mp3/.wav only)'"
complete -c b24tel -n "__fish_b24tel_using_subcommand batch" -l bitrate -d 'MP3 bitrate when converting, in kbps (CBR) [default: 32 per channel]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand batch" -l raw-rate -d 'Sample rate of headerless .raw/.sln input [default: 8000; .sln16 is 16000]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand batch" -l raw-channels -d 'Channels of headerless .raw/.sln input (2 for MixMonitor\'s D option)' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand batch" -l format -d 'Input format [default: detected from the extension and content]' -r -f -a "auto\t'By extension, else by content'
json\t'An array of messages, or {"messages": [...]}'
csv\t'A header row naming side, start, stop, message'
tsv\t'whisper / whisperX `.tsv`: start, end (integer milliseconds), text'
srt\t'SubRip subtitles'
vtt\t'WebVTT subtitles'
whisper\t'openai-whisper / faster-whisper / whisperX / stable-ts JSON'
yandex\t'Yandex SpeechKit v2 async result or v3 JSON / JSON Lines'
vosk\t'Vosk recogniser results (JSON Lines or an array)'
deepgram\t'Deepgram pre-recorded response'
assemblyai\t'AssemblyAI transcript'
aws\t'AWS Transcribe output'
google\t'Google Speech-to-Text response'
azure\t'Azure batch transcription result'"
complete -c b24tel -n "__fish_b24tel_using_subcommand batch" -l speaker -d 'Map a speaker label to a side, e.g. SPEAKER_00=User (repeatable)' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand batch" -l channel -d 'Map a channel, as the engine numbers it, to a side, e.g. 0=User (repeatable)' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand batch" -l default-side -d 'Side for cues without a speaker label' -r -f -a "User\t''
Client\t''"
complete -c b24tel -n "__fish_b24tel_using_subcommand batch" -l encoding -d 'Text encoding of the file [default: UTF-8, or UTF-16 with a BOM]' -r -f -a "auto\t'UTF-8 (BOM or not), or UTF-16 with a BOM'
utf-8\t''
utf-16\t'UTF-16; the byte order from the BOM, else guessed'
cp1251\t'Windows-1251 (Cyrillic)'
koi8-r\t''"
complete -c b24tel -n "__fish_b24tel_using_subcommand batch" -s p -l profile -d 'Profile in the config file' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand batch" -l config -d 'Config file [default: <config dir>/b24tel/config.toml]' -r -F
complete -c b24tel -n "__fish_b24tel_using_subcommand batch" -l webhook -d 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand batch" -s o -l output -d 'Output format [default: table on a terminal, json otherwise]' -r -f -a "json\t''
table\t''"
complete -c b24tel -n "__fish_b24tel_using_subcommand batch" -l timeout -d 'Give up on a request that makes no progress for this long [default: 60]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand batch" -l retries -d 'Retries for retryable failures [default: 3]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand batch" -l fail-fast -d 'Stop at the first failed row'
complete -c b24tel -n "__fish_b24tel_using_subcommand batch" -l resend-unknown -d 'Send transcripts again whose earlier outcome the portal cannot confirm'
complete -c b24tel -n "__fish_b24tel_using_subcommand batch" -l if-absent -d 'Send no record to a call that already has one (voximplant.statistic.get)'
complete -c b24tel -n "__fish_b24tel_using_subcommand batch" -s q -l quiet -d 'No progress bar, no warnings'
complete -c b24tel -n "__fish_b24tel_using_subcommand batch" -s v -l verbose -d 'One line per HTTP exchange on stderr'
complete -c b24tel -n "__fish_b24tel_using_subcommand batch" -l dry-run -d 'Validate everything and print the request that would be sent; send nothing'
complete -c b24tel -n "__fish_b24tel_using_subcommand batch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c b24tel -n "__fish_b24tel_using_subcommand batch" -s V -l version -d 'Print version'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and not __fish_seen_subcommand_from register finish show list help" -s p -l profile -d 'Profile in the config file' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and not __fish_seen_subcommand_from register finish show list help" -l config -d 'Config file [default: <config dir>/b24tel/config.toml]' -r -F
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and not __fish_seen_subcommand_from register finish show list help" -l webhook -d 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and not __fish_seen_subcommand_from register finish show list help" -s o -l output -d 'Output format [default: table on a terminal, json otherwise]' -r -f -a "json\t''
table\t''"
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and not __fish_seen_subcommand_from register finish show list help" -l timeout -d 'Give up on a request that makes no progress for this long [default: 60]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and not __fish_seen_subcommand_from register finish show list help" -l retries -d 'Retries for retryable failures [default: 3]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and not __fish_seen_subcommand_from register finish show list help" -s q -l quiet -d 'No progress bar, no warnings'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and not __fish_seen_subcommand_from register finish show list help" -s v -l verbose -d 'One line per HTTP exchange on stderr'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and not __fish_seen_subcommand_from register finish show list help" -l dry-run -d 'Validate everything and print the request that would be sent; send nothing'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and not __fish_seen_subcommand_from register finish show list help" -s h -l help -d 'Print help'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and not __fish_seen_subcommand_from register finish show list help" -s V -l version -d 'Print version'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and not __fish_seen_subcommand_from register finish show list help" -f -a "register" -d 'Register a call (telephony.externalCall.register) and print its CALL_ID'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and not __fish_seen_subcommand_from register finish show list help" -f -a "finish" -d 'Finish a registered call (telephony.externalCall.finish)'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and not __fish_seen_subcommand_from register finish show list help" -f -a "show" -d 'Show one finished call from the portal\'s call statistics'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and not __fish_seen_subcommand_from register finish show list help" -f -a "list" -d 'List finished calls, e.g. today\'s calls that still lack a recording'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and not __fish_seen_subcommand_from register finish show list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from register" -l phone -d 'The other party\'s phone number (PHONE_NUMBER)' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from register" -l user-id -d 'Bitrix24 user id of the call\'s employee (USER_ID)' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from register" -l user-phone-inner -d 'The employee\'s internal phone number (USER_PHONE_INNER)' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from register" -l type -d 'Call direction (TYPE 1-5)' -r -f -a "out\t''
in\t''
in-redirect\t''
callback\t''
info\t''"
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from register" -l start -d 'When the call started, ISO 8601 [default: now, with the local offset]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from register" -l external-id -d 'Your PBX\'s id for the call (EXTERNAL_CALL_ID), to find it again later' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from register" -l line -d 'The line (LINE_NUMBER) the call came on' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from register" -s p -l profile -d 'Profile in the config file' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from register" -l config -d 'Config file [default: <config dir>/b24tel/config.toml]' -r -F
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from register" -l webhook -d 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from register" -s o -l output -d 'Output format [default: table on a terminal, json otherwise]' -r -f -a "json\t''
table\t''"
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from register" -l timeout -d 'Give up on a request that makes no progress for this long [default: 60]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from register" -l retries -d 'Retries for retryable failures [default: 3]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from register" -l crm-create -d 'Let the portal create a CRM lead/contact for an unknown number (CRM_CREATE=1)'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from register" -l show -d 'Show the call card to the user (SHOW=1)'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from register" -s q -l quiet -d 'No progress bar, no warnings'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from register" -s v -l verbose -d 'One line per HTTP exchange on stderr'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from register" -l dry-run -d 'Validate everything and print the request that would be sent; send nothing'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from register" -s h -l help -d 'Print help'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from register" -s V -l version -d 'Print version'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from finish" -l call-id -d 'CALL_ID from `b24tel call register`' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from finish" -l user-id -d 'Bitrix24 user id of the call\'s employee (USER_ID)' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from finish" -l user-phone-inner -d 'The employee\'s internal phone number (USER_PHONE_INNER)' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from finish" -l duration -d 'Talk time in seconds (DURATION)' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from finish" -l status-code -d 'SIP status code (STATUS_CODE) [default: 200 when --duration > 0, else 304]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from finish" -l failed-reason -d 'Why the call failed (FAILED_REASON)' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from finish" -l cost -d 'Cost of the call (COST)' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from finish" -l currency -d 'Currency of the cost (three upper-case letters, COST_CURRENCY)' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from finish" -s p -l profile -d 'Profile in the config file' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from finish" -l config -d 'Config file [default: <config dir>/b24tel/config.toml]' -r -F
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from finish" -l webhook -d 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from finish" -s o -l output -d 'Output format [default: table on a terminal, json otherwise]' -r -f -a "json\t''
table\t''"
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from finish" -l timeout -d 'Give up on a request that makes no progress for this long [default: 60]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from finish" -l retries -d 'Retries for retryable failures [default: 3]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from finish" -l add-to-chat -d 'Post the call to the user\'s chat (ADD_TO_CHAT=1; sent as 0 otherwise)'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from finish" -s q -l quiet -d 'No progress bar, no warnings'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from finish" -s v -l verbose -d 'One line per HTTP exchange on stderr'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from finish" -l dry-run -d 'Validate everything and print the request that would be sent; send nothing'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from finish" -s h -l help -d 'Print help'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from finish" -s V -l version -d 'Print version'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from show" -l call-id -d 'CALL_ID of the call' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from show" -l external-id -d 'EXTERNAL_CALL_ID given at register' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from show" -s p -l profile -d 'Profile in the config file' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from show" -l config -d 'Config file [default: <config dir>/b24tel/config.toml]' -r -F
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from show" -l webhook -d 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format [default: table on a terminal, json otherwise]' -r -f -a "json\t''
table\t''"
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from show" -l timeout -d 'Give up on a request that makes no progress for this long [default: 60]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from show" -l retries -d 'Retries for retryable failures [default: 3]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from show" -s q -l quiet -d 'No progress bar, no warnings'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from show" -s v -l verbose -d 'One line per HTTP exchange on stderr'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from show" -l dry-run -d 'Validate everything and print the request that would be sent; send nothing'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from list" -l since -d 'Calls that started at or after WHEN: a duration back from now (24h, 30m) or ISO 8601' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from list" -l until -d 'Calls that started at or before WHEN (as --since)' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from list" -l missing -d 'Only calls without a recording or without a transcript' -r -f -a "record\t''
transcript\t''"
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from list" -l limit -d 'At most N calls' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from list" -s p -l profile -d 'Profile in the config file' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from list" -l config -d 'Config file [default: <config dir>/b24tel/config.toml]' -r -F
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from list" -l webhook -d 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format [default: table on a terminal, json otherwise]' -r -f -a "json\t''
table\t''"
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from list" -l timeout -d 'Give up on a request that makes no progress for this long [default: 60]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from list" -l retries -d 'Retries for retryable failures [default: 3]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from list" -s q -l quiet -d 'No progress bar, no warnings'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from list" -s v -l verbose -d 'One line per HTTP exchange on stderr'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from list" -l dry-run -d 'Validate everything and print the request that would be sent; send nothing'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from help" -f -a "register" -d 'Register a call (telephony.externalCall.register) and print its CALL_ID'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from help" -f -a "finish" -d 'Finish a registered call (telephony.externalCall.finish)'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one finished call from the portal\'s call statistics'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from help" -f -a "list" -d 'List finished calls, e.g. today\'s calls that still lack a recording'
complete -c b24tel -n "__fish_b24tel_using_subcommand call; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c b24tel -n "__fish_b24tel_using_subcommand smoke" -l user-id -d 'Bitrix24 user the test call belongs to [default: the webhook\'s own user]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand smoke" -s p -l profile -d 'Profile in the config file' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand smoke" -l config -d 'Config file [default: <config dir>/b24tel/config.toml]' -r -F
complete -c b24tel -n "__fish_b24tel_using_subcommand smoke" -l webhook -d 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand smoke" -s o -l output -d 'Output format [default: table on a terminal, json otherwise]' -r -f -a "json\t''
table\t''"
complete -c b24tel -n "__fish_b24tel_using_subcommand smoke" -l timeout -d 'Give up on a request that makes no progress for this long [default: 60]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand smoke" -l retries -d 'Retries for retryable failures [default: 3]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand smoke" -l keep-going -d 'Run every step even after one fails'
complete -c b24tel -n "__fish_b24tel_using_subcommand smoke" -s q -l quiet -d 'No progress bar, no warnings'
complete -c b24tel -n "__fish_b24tel_using_subcommand smoke" -s v -l verbose -d 'One line per HTTP exchange on stderr'
complete -c b24tel -n "__fish_b24tel_using_subcommand smoke" -l dry-run -d 'Validate everything and print the request that would be sent; send nothing'
complete -c b24tel -n "__fish_b24tel_using_subcommand smoke" -s h -l help -d 'Print help'
complete -c b24tel -n "__fish_b24tel_using_subcommand smoke" -s V -l version -d 'Print version'
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and not __fish_seen_subcommand_from init show path help" -s p -l profile -d 'Profile in the config file' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and not __fish_seen_subcommand_from init show path help" -l config -d 'Config file [default: <config dir>/b24tel/config.toml]' -r -F
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and not __fish_seen_subcommand_from init show path help" -l webhook -d 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and not __fish_seen_subcommand_from init show path help" -s o -l output -d 'Output format [default: table on a terminal, json otherwise]' -r -f -a "json\t''
table\t''"
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and not __fish_seen_subcommand_from init show path help" -l timeout -d 'Give up on a request that makes no progress for this long [default: 60]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and not __fish_seen_subcommand_from init show path help" -l retries -d 'Retries for retryable failures [default: 3]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and not __fish_seen_subcommand_from init show path help" -s q -l quiet -d 'No progress bar, no warnings'
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and not __fish_seen_subcommand_from init show path help" -s v -l verbose -d 'One line per HTTP exchange on stderr'
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and not __fish_seen_subcommand_from init show path help" -l dry-run -d 'Validate everything and print the request that would be sent; send nothing'
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and not __fish_seen_subcommand_from init show path help" -s h -l help -d 'Print help'
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and not __fish_seen_subcommand_from init show path help" -s V -l version -d 'Print version'
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and not __fish_seen_subcommand_from init show path help" -f -a "init" -d 'Write a webhook profile (-p NAME, --webhook URL) with mode 0600'
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and not __fish_seen_subcommand_from init show path help" -f -a "show" -d 'Show the config file\'s profiles, secrets as ***'
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and not __fish_seen_subcommand_from init show path help" -f -a "path" -d 'Print where the config file is'
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and not __fish_seen_subcommand_from init show path help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from init" -s p -l profile -d 'Profile in the config file' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from init" -l config -d 'Config file [default: <config dir>/b24tel/config.toml]' -r -F
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from init" -l webhook -d 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from init" -s o -l output -d 'Output format [default: table on a terminal, json otherwise]' -r -f -a "json\t''
table\t''"
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from init" -l timeout -d 'Give up on a request that makes no progress for this long [default: 60]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from init" -l retries -d 'Retries for retryable failures [default: 3]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from init" -l force -d 'Replace an existing profile of the same name'
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from init" -s q -l quiet -d 'No progress bar, no warnings'
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from init" -s v -l verbose -d 'One line per HTTP exchange on stderr'
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from init" -l dry-run -d 'Validate everything and print the request that would be sent; send nothing'
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from init" -s h -l help -d 'Print help'
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from init" -s V -l version -d 'Print version'
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from show" -s p -l profile -d 'Profile in the config file' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from show" -l config -d 'Config file [default: <config dir>/b24tel/config.toml]' -r -F
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from show" -l webhook -d 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format [default: table on a terminal, json otherwise]' -r -f -a "json\t''
table\t''"
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from show" -l timeout -d 'Give up on a request that makes no progress for this long [default: 60]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from show" -l retries -d 'Retries for retryable failures [default: 3]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from show" -s q -l quiet -d 'No progress bar, no warnings'
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from show" -s v -l verbose -d 'One line per HTTP exchange on stderr'
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from show" -l dry-run -d 'Validate everything and print the request that would be sent; send nothing'
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from path" -s p -l profile -d 'Profile in the config file' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from path" -l config -d 'Config file [default: <config dir>/b24tel/config.toml]' -r -F
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from path" -l webhook -d 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from path" -s o -l output -d 'Output format [default: table on a terminal, json otherwise]' -r -f -a "json\t''
table\t''"
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from path" -l timeout -d 'Give up on a request that makes no progress for this long [default: 60]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from path" -l retries -d 'Retries for retryable failures [default: 3]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from path" -s q -l quiet -d 'No progress bar, no warnings'
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from path" -s v -l verbose -d 'One line per HTTP exchange on stderr'
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from path" -l dry-run -d 'Validate everything and print the request that would be sent; send nothing'
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from path" -s h -l help -d 'Print help'
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from path" -s V -l version -d 'Print version'
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "init" -d 'Write a webhook profile (-p NAME, --webhook URL) with mode 0600'
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show the config file\'s profiles, secrets as ***'
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "path" -d 'Print where the config file is'
complete -c b24tel -n "__fish_b24tel_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and not __fish_seen_subcommand_from login status refresh help" -s p -l profile -d 'Profile in the config file' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and not __fish_seen_subcommand_from login status refresh help" -l config -d 'Config file [default: <config dir>/b24tel/config.toml]' -r -F
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and not __fish_seen_subcommand_from login status refresh help" -l webhook -d 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and not __fish_seen_subcommand_from login status refresh help" -s o -l output -d 'Output format [default: table on a terminal, json otherwise]' -r -f -a "json\t''
table\t''"
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and not __fish_seen_subcommand_from login status refresh help" -l timeout -d 'Give up on a request that makes no progress for this long [default: 60]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and not __fish_seen_subcommand_from login status refresh help" -l retries -d 'Retries for retryable failures [default: 3]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and not __fish_seen_subcommand_from login status refresh help" -s q -l quiet -d 'No progress bar, no warnings'
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and not __fish_seen_subcommand_from login status refresh help" -s v -l verbose -d 'One line per HTTP exchange on stderr'
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and not __fish_seen_subcommand_from login status refresh help" -l dry-run -d 'Validate everything and print the request that would be sent; send nothing'
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and not __fish_seen_subcommand_from login status refresh help" -s h -l help -d 'Print help'
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and not __fish_seen_subcommand_from login status refresh help" -s V -l version -d 'Print version'
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and not __fish_seen_subcommand_from login status refresh help" -f -a "login" -d 'Sign an app profile in: exchange an authorization code or seed a refresh token'
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and not __fish_seen_subcommand_from login status refresh help" -f -a "status" -d 'Show the profile, its token expiry and token server (never a token)'
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and not __fish_seen_subcommand_from login status refresh help" -f -a "refresh" -d 'Refresh the profile\'s tokens now'
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and not __fish_seen_subcommand_from login status refresh help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from login" -l code -d 'The authorization code from the app\'s redirect (`-` reads it from stdin)' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from login" -l refresh-token -d 'A refresh token to start from (`-` reads it from stdin, keeping it out of `ps`)' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from login" -s p -l profile -d 'Profile in the config file' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from login" -l config -d 'Config file [default: <config dir>/b24tel/config.toml]' -r -F
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from login" -l webhook -d 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from login" -s o -l output -d 'Output format [default: table on a terminal, json otherwise]' -r -f -a "json\t''
table\t''"
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from login" -l timeout -d 'Give up on a request that makes no progress for this long [default: 60]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from login" -l retries -d 'Retries for retryable failures [default: 3]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from login" -s q -l quiet -d 'No progress bar, no warnings'
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from login" -s v -l verbose -d 'One line per HTTP exchange on stderr'
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from login" -l dry-run -d 'Validate everything and print the request that would be sent; send nothing'
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from login" -s h -l help -d 'Print help'
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from login" -s V -l version -d 'Print version'
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from status" -s p -l profile -d 'Profile in the config file' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from status" -l config -d 'Config file [default: <config dir>/b24tel/config.toml]' -r -F
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from status" -l webhook -d 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from status" -s o -l output -d 'Output format [default: table on a terminal, json otherwise]' -r -f -a "json\t''
table\t''"
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from status" -l timeout -d 'Give up on a request that makes no progress for this long [default: 60]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from status" -l retries -d 'Retries for retryable failures [default: 3]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from status" -s q -l quiet -d 'No progress bar, no warnings'
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from status" -s v -l verbose -d 'One line per HTTP exchange on stderr'
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from status" -l dry-run -d 'Validate everything and print the request that would be sent; send nothing'
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from refresh" -s p -l profile -d 'Profile in the config file' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from refresh" -l config -d 'Config file [default: <config dir>/b24tel/config.toml]' -r -F
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from refresh" -l webhook -d 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from refresh" -s o -l output -d 'Output format [default: table on a terminal, json otherwise]' -r -f -a "json\t''
table\t''"
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from refresh" -l timeout -d 'Give up on a request that makes no progress for this long [default: 60]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from refresh" -l retries -d 'Retries for retryable failures [default: 3]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from refresh" -s q -l quiet -d 'No progress bar, no warnings'
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from refresh" -s v -l verbose -d 'One line per HTTP exchange on stderr'
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from refresh" -l dry-run -d 'Validate everything and print the request that would be sent; send nothing'
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from refresh" -s h -l help -d 'Print help'
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from refresh" -s V -l version -d 'Print version'
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "login" -d 'Sign an app profile in: exchange an authorization code or seed a refresh token'
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show the profile, its token expiry and token server (never a token)'
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "refresh" -d 'Refresh the profile\'s tokens now'
complete -c b24tel -n "__fish_b24tel_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c b24tel -n "__fish_b24tel_using_subcommand doctor" -s p -l profile -d 'Profile in the config file' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand doctor" -l config -d 'Config file [default: <config dir>/b24tel/config.toml]' -r -F
complete -c b24tel -n "__fish_b24tel_using_subcommand doctor" -l webhook -d 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand doctor" -s o -l output -d 'Output format [default: table on a terminal, json otherwise]' -r -f -a "json\t''
table\t''"
complete -c b24tel -n "__fish_b24tel_using_subcommand doctor" -l timeout -d 'Give up on a request that makes no progress for this long [default: 60]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand doctor" -l retries -d 'Retries for retryable failures [default: 3]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand doctor" -s q -l quiet -d 'No progress bar, no warnings'
complete -c b24tel -n "__fish_b24tel_using_subcommand doctor" -s v -l verbose -d 'One line per HTTP exchange on stderr'
complete -c b24tel -n "__fish_b24tel_using_subcommand doctor" -l dry-run -d 'Validate everything and print the request that would be sent; send nothing'
complete -c b24tel -n "__fish_b24tel_using_subcommand doctor" -s h -l help -d 'Print help'
complete -c b24tel -n "__fish_b24tel_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c b24tel -n "__fish_b24tel_using_subcommand sandbox" -l addr -d 'Address to listen on: IP:PORT, or a loopback name such as localhost:PORT; port 0 takes any free port' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand sandbox" -l data-dir -d 'Keep attached records and transcripts here [default: a temp dir removed on exit]' -r -F
complete -c b24tel -n "__fish_b24tel_using_subcommand sandbox" -l fault -d 'Simulate a failure (repeatable): ratelimit:N, bucket:BURST:RATE, overload, html500, slow:SECS, timelimit:SECS, redirect, drop:N, no-statistics, each limitable to one method with @METHOD; or latency:METHOD=SECS' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand sandbox" -l webhook-code -d 'The webhook code in the webhook URL [default: random]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand sandbox" -l access-token -d 'The first OAuth access token (as `auth`, `access_token` or a Bearer header) [default: random]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand sandbox" -l scope -d 'Scopes the webhook has, comma separated' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand sandbox" -l token-lifetime -d 'OAuth access tokens answer 401 expired_token this many seconds after they are issued' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand sandbox" -s p -l profile -d 'Profile in the config file' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand sandbox" -l config -d 'Config file [default: <config dir>/b24tel/config.toml]' -r -F
complete -c b24tel -n "__fish_b24tel_using_subcommand sandbox" -l webhook -d 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand sandbox" -s o -l output -d 'Output format [default: table on a terminal, json otherwise]' -r -f -a "json\t''
table\t''"
complete -c b24tel -n "__fish_b24tel_using_subcommand sandbox" -l timeout -d 'Give up on a request that makes no progress for this long [default: 60]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand sandbox" -l retries -d 'Retries for retryable failures [default: 3]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand sandbox" -l strict -d 'Refuse what a real portal silently accepts and gets wrong (Base64 it decodes into a corrupt file, transcript times it truncates) instead of only logging it'
complete -c b24tel -n "__fish_b24tel_using_subcommand sandbox" -l tls -d 'Serve https with a certificate from a CA generated at start; the CA is written to DATA_DIR/ca.pem and printed, for SSL_CERT_FILE / --cacert / ca_cert'
complete -c b24tel -n "__fish_b24tel_using_subcommand sandbox" -s q -l quiet -d 'No progress bar, no warnings'
complete -c b24tel -n "__fish_b24tel_using_subcommand sandbox" -s v -l verbose -d 'One line per HTTP exchange on stderr'
complete -c b24tel -n "__fish_b24tel_using_subcommand sandbox" -l dry-run -d 'Validate everything and print the request that would be sent; send nothing'
complete -c b24tel -n "__fish_b24tel_using_subcommand sandbox" -s h -l help -d 'Print help'
complete -c b24tel -n "__fish_b24tel_using_subcommand sandbox" -s V -l version -d 'Print version'
complete -c b24tel -n "__fish_b24tel_using_subcommand demo" -s p -l profile -d 'Profile in the config file' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand demo" -l config -d 'Config file [default: <config dir>/b24tel/config.toml]' -r -F
complete -c b24tel -n "__fish_b24tel_using_subcommand demo" -l webhook -d 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand demo" -s o -l output -d 'Output format [default: table on a terminal, json otherwise]' -r -f -a "json\t''
table\t''"
complete -c b24tel -n "__fish_b24tel_using_subcommand demo" -l timeout -d 'Give up on a request that makes no progress for this long [default: 60]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand demo" -l retries -d 'Retries for retryable failures [default: 3]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand demo" -s q -l quiet -d 'No progress bar, no warnings'
complete -c b24tel -n "__fish_b24tel_using_subcommand demo" -s v -l verbose -d 'One line per HTTP exchange on stderr'
complete -c b24tel -n "__fish_b24tel_using_subcommand demo" -l dry-run -d 'Validate everything and print the request that would be sent; send nothing'
complete -c b24tel -n "__fish_b24tel_using_subcommand demo" -s h -l help -d 'Print help'
complete -c b24tel -n "__fish_b24tel_using_subcommand demo" -s V -l version -d 'Print version'
complete -c b24tel -n "__fish_b24tel_using_subcommand completions" -s p -l profile -d 'Profile in the config file' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand completions" -l config -d 'Config file [default: <config dir>/b24tel/config.toml]' -r -F
complete -c b24tel -n "__fish_b24tel_using_subcommand completions" -l webhook -d 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand completions" -s o -l output -d 'Output format [default: table on a terminal, json otherwise]' -r -f -a "json\t''
table\t''"
complete -c b24tel -n "__fish_b24tel_using_subcommand completions" -l timeout -d 'Give up on a request that makes no progress for this long [default: 60]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand completions" -l retries -d 'Retries for retryable failures [default: 3]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand completions" -s q -l quiet -d 'No progress bar, no warnings'
complete -c b24tel -n "__fish_b24tel_using_subcommand completions" -s v -l verbose -d 'One line per HTTP exchange on stderr'
complete -c b24tel -n "__fish_b24tel_using_subcommand completions" -l dry-run -d 'Validate everything and print the request that would be sent; send nothing'
complete -c b24tel -n "__fish_b24tel_using_subcommand completions" -s h -l help -d 'Print help'
complete -c b24tel -n "__fish_b24tel_using_subcommand completions" -s V -l version -d 'Print version'
complete -c b24tel -n "__fish_b24tel_using_subcommand man" -l out -d 'Write the pages into this folder (created if missing) instead of printing `b24tel.1`' -r -F
complete -c b24tel -n "__fish_b24tel_using_subcommand man" -s p -l profile -d 'Profile in the config file' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand man" -l config -d 'Config file [default: <config dir>/b24tel/config.toml]' -r -F
complete -c b24tel -n "__fish_b24tel_using_subcommand man" -l webhook -d 'Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand man" -s o -l output -d 'Output format [default: table on a terminal, json otherwise]' -r -f -a "json\t''
table\t''"
complete -c b24tel -n "__fish_b24tel_using_subcommand man" -l timeout -d 'Give up on a request that makes no progress for this long [default: 60]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand man" -l retries -d 'Retries for retryable failures [default: 3]' -r
complete -c b24tel -n "__fish_b24tel_using_subcommand man" -s q -l quiet -d 'No progress bar, no warnings'
complete -c b24tel -n "__fish_b24tel_using_subcommand man" -s v -l verbose -d 'One line per HTTP exchange on stderr'
complete -c b24tel -n "__fish_b24tel_using_subcommand man" -l dry-run -d 'Validate everything and print the request that would be sent; send nothing'
complete -c b24tel -n "__fish_b24tel_using_subcommand man" -s h -l help -d 'Print help'
complete -c b24tel -n "__fish_b24tel_using_subcommand man" -s V -l version -d 'Print version'
complete -c b24tel -n "__fish_b24tel_using_subcommand help; and not __fish_seen_subcommand_from record transcript batch call smoke config auth doctor sandbox demo completions man help" -f -a "record" -d 'Attach call recordings'
complete -c b24tel -n "__fish_b24tel_using_subcommand help; and not __fish_seen_subcommand_from record transcript batch call smoke config auth doctor sandbox demo completions man help" -f -a "transcript" -d 'Attach conversation transcripts'
complete -c b24tel -n "__fish_b24tel_using_subcommand help; and not __fish_seen_subcommand_from record transcript batch call smoke config auth doctor sandbox demo completions man help" -f -a "batch" -d 'Attach every recording and transcript listed in a manifest (for cron; re-runnable)'
complete -c b24tel -n "__fish_b24tel_using_subcommand help; and not __fish_seen_subcommand_from record transcript batch call smoke config auth doctor sandbox demo completions man help" -f -a "call" -d 'Register, finish and look up calls (telephony.externalCall.*, voximplant.statistic.get)'
complete -c b24tel -n "__fish_b24tel_using_subcommand help; and not __fish_seen_subcommand_from record transcript batch call smoke config auth doctor sandbox demo completions man help" -f -a "smoke" -d 'Check a portal\'s whole telephony path: register, finish, attach, read back'
complete -c b24tel -n "__fish_b24tel_using_subcommand help; and not __fish_seen_subcommand_from record transcript batch call smoke config auth doctor sandbox demo completions man help" -f -a "config" -d 'Manage the config file and its profiles'
complete -c b24tel -n "__fish_b24tel_using_subcommand help; and not __fish_seen_subcommand_from record transcript batch call smoke config auth doctor sandbox demo completions man help" -f -a "auth" -d 'Sign an OAuth app profile in once; unattended runs then refresh its tokens'
complete -c b24tel -n "__fish_b24tel_using_subcommand help; and not __fish_seen_subcommand_from record transcript batch call smoke config auth doctor sandbox demo completions man help" -f -a "doctor" -d 'Check the config, the connection, the clock, authentication, the telephony scope and call statistics'
complete -c b24tel -n "__fish_b24tel_using_subcommand help; and not __fish_seen_subcommand_from record transcript batch call smoke config auth doctor sandbox demo completions man help" -f -a "sandbox" -d 'Run a local stand-in portal for trying b24tel and testing scripts'
complete -c b24tel -n "__fish_b24tel_using_subcommand help; and not __fish_seen_subcommand_from record transcript batch call smoke config auth doctor sandbox demo completions man help" -f -a "demo" -d 'Run `smoke` against a built-in sandbox portal, then show the commands to do it by hand'
complete -c b24tel -n "__fish_b24tel_using_subcommand help; and not __fish_seen_subcommand_from record transcript batch call smoke config auth doctor sandbox demo completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c b24tel -n "__fish_b24tel_using_subcommand help; and not __fish_seen_subcommand_from record transcript batch call smoke config auth doctor sandbox demo completions man help" -f -a "man" -d 'Print the man page, or write every command\'s page into a folder'
complete -c b24tel -n "__fish_b24tel_using_subcommand help; and not __fish_seen_subcommand_from record transcript batch call smoke config auth doctor sandbox demo completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c b24tel -n "__fish_b24tel_using_subcommand help; and __fish_seen_subcommand_from record" -f -a "attach" -d 'Attach a recording (.mp3/.wav) to a finished call, from a file or a URL'
complete -c b24tel -n "__fish_b24tel_using_subcommand help; and __fish_seen_subcommand_from record" -f -a "upload-url" -d 'Get a one-off upload URL for a recording, and optionally upload the file to it'
complete -c b24tel -n "__fish_b24tel_using_subcommand help; and __fish_seen_subcommand_from transcript" -f -a "attach" -d 'Attach a conversation transcript to a finished call'
complete -c b24tel -n "__fish_b24tel_using_subcommand help; and __fish_seen_subcommand_from call" -f -a "register" -d 'Register a call (telephony.externalCall.register) and print its CALL_ID'
complete -c b24tel -n "__fish_b24tel_using_subcommand help; and __fish_seen_subcommand_from call" -f -a "finish" -d 'Finish a registered call (telephony.externalCall.finish)'
complete -c b24tel -n "__fish_b24tel_using_subcommand help; and __fish_seen_subcommand_from call" -f -a "show" -d 'Show one finished call from the portal\'s call statistics'
complete -c b24tel -n "__fish_b24tel_using_subcommand help; and __fish_seen_subcommand_from call" -f -a "list" -d 'List finished calls, e.g. today\'s calls that still lack a recording'
complete -c b24tel -n "__fish_b24tel_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "init" -d 'Write a webhook profile (-p NAME, --webhook URL) with mode 0600'
complete -c b24tel -n "__fish_b24tel_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "show" -d 'Show the config file\'s profiles, secrets as ***'
complete -c b24tel -n "__fish_b24tel_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "path" -d 'Print where the config file is'
complete -c b24tel -n "__fish_b24tel_using_subcommand help; and __fish_seen_subcommand_from auth" -f -a "login" -d 'Sign an app profile in: exchange an authorization code or seed a refresh token'
complete -c b24tel -n "__fish_b24tel_using_subcommand help; and __fish_seen_subcommand_from auth" -f -a "status" -d 'Show the profile, its token expiry and token server (never a token)'
complete -c b24tel -n "__fish_b24tel_using_subcommand help; and __fish_seen_subcommand_from auth" -f -a "refresh" -d 'Refresh the profile\'s tokens now'
