// The telephony flow through the official JS SDK (@bitrix24/b24jssdk).
// Env: MODE (webhook or oauth), WEBHOOK, RECORD, NODE_PATH_MODULES (the node_modules
// holding the SDK); for oauth PORTAL, ACCESS_TOKEN, REFRESH_TOKEN, CLIENT_ID, CLIENT_SECRET.
// Prints {"call_id", "file_id", "transcript_id"}.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

const require = createRequire(pathToFileURL(process.env.NODE_PATH_MODULES + '/'))
const { B24Hook, B24OAuth } = await import(pathToFileURL(require.resolve('@bitrix24/b24jssdk')).href)

const env = process.env
const b24 = env.MODE === 'oauth'
  ? new B24OAuth({
    applicationToken: 'sandbox',
    userId: 1,
    memberId: 'sandbox',
    accessToken: env.ACCESS_TOKEN,
    refreshToken: env.REFRESH_TOKEN,
    // Already expired: the SDK refreshes at the sandbox's /oauth/token/ first.
    expires: Math.floor(Date.now() / 1000) - 10,
    expiresIn: 3600,
    scope: 'telephony',
    domain: new URL(env.PORTAL).host,
    clientEndpoint: `${env.PORTAL}/rest/`,
    // The SDK takes the token server from this, as from oauth.bitrix.info/rest/.
    serverEndpoint: `${env.PORTAL}/rest/`,
    status: 'L',
  }, { clientId: env.CLIENT_ID, clientSecret: env.CLIENT_SECRET })
  : B24Hook.fromWebhookUrl(env.WEBHOOK)
if (env.MODE === 'oauth') b24.offClientSideWarning()
let refreshed = false
if (env.MODE === 'oauth') b24.setCallbackRefreshAuth(async () => { refreshed = true })
const call = async (method, params) => {
  const answer = await b24.callMethod(method, params)
  if (!answer.isSuccess) {
    throw new Error(`${method}: ${answer.getErrorMessages().join('; ')}`)
  }
  return answer.getData()
}
const registered = (await call('telephony.externalCall.register',
  { USER_ID: 1, PHONE_NUMBER: '+4930123456', TYPE: 2 })).result
const callId = registered.CALL_ID
await call('telephony.externalCall.finish', { CALL_ID: callId, USER_ID: 1, DURATION: 42 })
const content = readFileSync(process.env.RECORD).toString('base64')
const file = (await call('telephony.externalCall.attachRecord',
  { CALL_ID: callId, FILENAME: 'js.mp3', FILE_CONTENT: content })).result
const transcript = (await call('telephony.call.attachTranscription', {
  CALL_ID: callId,
  MESSAGES: [
    { SIDE: 'User', START_TIME: 0, STOP_TIME: 2, MESSAGE: 'Good afternoon' },
    { SIDE: 'Client', START_TIME: 2, STOP_TIME: 5, MESSAGE: 'Hello + welcome & co' },
  ],
})).result
const rows = await call('voximplant.statistic.get', { FILTER: { CALL_ID: callId } })
if (rows.result.length !== 1) throw new Error(`statistic.get: ${JSON.stringify(rows)}`)
if (env.MODE === 'oauth' && !refreshed) throw new Error('the SDK never refreshed its expired token')
console.log(JSON.stringify({ call_id: callId, file_id: file.FILE_ID, transcript_id: transcript.TRANSCRIPT_ID }))
