<?php
// The telephony flow as a plain PHP integration writes it: curl + http_build_query
// (form-encoded, PHP-style keys). Env: WEBHOOK (ends with /), RECORD (a file path).
// Prints one JSON line {"call_id", "file_id", "transcript_id"}; exits 1 on failure.

function call(string $method, array $params): array {
    $ch = curl_init(getenv('WEBHOOK') . $method . '.json');
    curl_setopt_array($ch, [
        CURLOPT_POST => true,
        CURLOPT_POSTFIELDS => http_build_query($params),
        CURLOPT_RETURNTRANSFER => true,
        CURLOPT_CAINFO => getenv('CA_FILE') ?: null,
    ]);
    $body = curl_exec($ch);
    if ($body === false) {
        fwrite(STDERR, "$method: " . curl_error($ch) . "\n");
        exit(1);
    }
    $answer = json_decode($body, true);
    if (!isset($answer['result'])) {
        fwrite(STDERR, "$method: $body\n");
        exit(1);
    }
    return $answer;
}

$call = call('telephony.externalCall.register', [
    'USER_ID' => 1, 'PHONE_NUMBER' => '+4930123456', 'TYPE' => 2,
])['result'];
$id = $call['CALL_ID'];
call('telephony.externalCall.finish', ['CALL_ID' => $id, 'USER_ID' => 1, 'DURATION' => 42]);
$file = call('telephony.externalCall.attachRecord', [
    'CALL_ID' => $id, 'FILENAME' => 'php.mp3',
    'FILE_CONTENT' => base64_encode(file_get_contents(getenv('RECORD'))),
])['result'];
$transcript = call('telephony.call.attachTranscription', [
    'CALL_ID' => $id,
    'MESSAGES' => [
        ['SIDE' => 'User', 'START_TIME' => 0, 'STOP_TIME' => 2, 'MESSAGE' => 'Good afternoon'],
        ['SIDE' => 'Client', 'START_TIME' => 2, 'STOP_TIME' => 5, 'MESSAGE' => 'Hello + welcome & co'],
    ],
])['result'];
$rows = call('voximplant.statistic.get', ['FILTER' => ['CALL_ID' => $id]]);
if ($rows['total'] !== 1 || $rows['result'][0]['RECORD_FILE_ID'] != $file['FILE_ID']) {
    fwrite(STDERR, "statistic.get: " . json_encode($rows) . "\n");
    exit(1);
}
echo json_encode(['call_id' => $id, 'file_id' => $file['FILE_ID'],
    'transcript_id' => $transcript['TRANSCRIPT_ID']]), "\n";
