<?php
// The telephony flow as a plain PHP integration writes it: curl + http_build_query
// (form-encoded, PHP-style keys). Env: MODE (webhook or oauth), WEBHOOK (ends with /),
// RECORD (a file path), CA_FILE; for oauth PORTAL, REFRESH_TOKEN, CLIENT_ID,
// CLIENT_SECRET. An OAuth run refreshes its token first and sends the record through
// the upload URL. Prints one JSON line {"call_id", "file_id", "transcript_id"}; exits 1
// on failure.

$oauth = getenv('MODE') === 'oauth';
$token = null;

function post(string $url, $fields): array {
    $ch = curl_init($url);
    curl_setopt_array($ch, [
        CURLOPT_POST => true,
        CURLOPT_POSTFIELDS => $fields,
        CURLOPT_RETURNTRANSFER => true,
        CURLOPT_CAINFO => getenv('CA_FILE') ?: null,
    ]);
    $body = curl_exec($ch);
    if ($body === false) {
        fwrite(STDERR, "$url: " . curl_error($ch) . "\n");
        exit(1);
    }
    $answer = json_decode($body, true);
    if (!is_array($answer) || isset($answer['error'])) {
        fwrite(STDERR, "$url: $body\n");
        exit(1);
    }
    return $answer;
}

function call(string $method, array $params): array {
    global $oauth, $token;
    if ($oauth) {
        $params['auth'] = $token;
        $url = getenv('PORTAL') . "/rest/$method.json";
    } else {
        $url = getenv('WEBHOOK') . $method . '.json';
    }
    $answer = post($url, http_build_query($params));
    if (!isset($answer['result'])) {
        fwrite(STDERR, "$method: " . json_encode($answer) . "\n");
        exit(1);
    }
    return $answer;
}

if ($oauth) {
    $pair = post(getenv('PORTAL') . '/oauth/token/', http_build_query([
        'grant_type' => 'refresh_token', 'client_id' => getenv('CLIENT_ID'),
        'client_secret' => getenv('CLIENT_SECRET'), 'refresh_token' => getenv('REFRESH_TOKEN'),
    ]));
    $token = $pair['access_token'];
}

$call = call('telephony.externalCall.register', [
    'USER_ID' => 1, 'PHONE_NUMBER' => '+4930123456', 'TYPE' => 2,
])['result'];
$id = $call['CALL_ID'];
call('telephony.externalCall.finish', ['CALL_ID' => $id, 'USER_ID' => 1, 'DURATION' => 42]);
if ($oauth) {
    // Without FILE_CONTENT the portal hands out an upload URL for a multipart POST.
    $upload = call('telephony.externalCall.attachRecord', [
        'CALL_ID' => $id, 'FILENAME' => 'php.mp3',
    ])['result'];
    $file = post($upload['uploadUrl'], [
        $upload['fieldName'] => new CURLFile(getenv('RECORD'), 'audio/mpeg', 'php.mp3'),
    ])['result'];
} else {
    $file = call('telephony.externalCall.attachRecord', [
        'CALL_ID' => $id, 'FILENAME' => 'php.mp3',
        'FILE_CONTENT' => base64_encode(file_get_contents(getenv('RECORD'))),
    ])['result'];
}
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
