/**
 * Bounces, complaints and replies written by hand in the shapes the big mailbox providers and Postfix
 * produce (RFC 3464 DSNs inside RFC 6522 multipart/report, RFC 5965 ARF, RFC 3834 auto-replies, and the
 * plain-text bounce some providers still send). `original` is the head of the copy that went out.
 */
const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n');

/** The header block of a sent copy, with the Return-Path the receiving MTA adds at final delivery. */
export function originalHeaders(copyRaw: string, returnPath: string): string {
  const head = copyRaw.slice(0, copyRaw.indexOf('\r\n\r\n'));
  return `Return-Path: <${returnPath}>\r\n${head}`;
}

export function postfixHardBounce(o: { to: string; reader: string; original: string }): string {
  return crlf(`Return-Path: <>
Received: by mx.mail.example (Postfix) id 4XyZ1; Mon, 30 Nov 2026 11:02:03 +0000 (UTC)
Date: Mon, 30 Nov 2026 11:02:03 +0000 (UTC)
From: MAILER-DAEMON@mx.mail.example (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: ${o.to}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="4XyZ1.1764500523/mx.mail.example"
Message-Id: <20261130110203.4XyZ1@mx.mail.example>

This is a MIME-encapsulated message.

--4XyZ1.1764500523/mx.mail.example
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.mail.example.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<${o.reader}>: host mail.example[192.0.2.10] said: 550 5.1.1 <${o.reader}>:
    Recipient address rejected: User unknown in virtual mailbox table (in
    reply to RCPT TO command)

--4XyZ1.1764500523/mx.mail.example
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.mail.example
X-Postfix-Queue-ID: 4XyZ1
X-Postfix-Sender: rfc822; ${o.to}
Arrival-Date: Mon, 30 Nov 2026 11:02:02 +0000 (UTC)

Final-Recipient: rfc822; ${o.reader}
Original-Recipient: rfc822;${o.reader}
Action: failed
Status: 5.1.1
Remote-MTA: dns; mail.example
Diagnostic-Code: smtp; 550 5.1.1 <${o.reader}>: Recipient address rejected:
    User unknown in virtual mailbox table

--4XyZ1.1764500523/mx.mail.example
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

${o.original}

--4XyZ1.1764500523/mx.mail.example--
`);
}

/** Postfix's notice for a copy it finally gave up on after temporary failures, or its delay warning. */
export function postfixSoft(o: { to: string; reader: string; original: string; action: 'failed' | 'delayed' }): string {
  return crlf(`From: MAILER-DAEMON@mx.mail.example (Mail Delivery System)
Subject: ${o.action === 'failed' ? 'Undelivered Mail Returned to Sender' : 'Delayed Mail (still being retried)'}
To: ${o.to}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="B0undary"

--B0undary
Content-Type: text/plain; charset=us-ascii

<${o.reader}>: host mail.example[192.0.2.10] said: 452 4.2.2 Mailbox full

--B0undary
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.mail.example

Final-Recipient: rfc822; ${o.reader}
Action: ${o.action}
Status: 4.2.2
Diagnostic-Code: smtp; 452 4.2.2 <${o.reader}>: Mailbox full
${o.action === 'delayed' ? 'Will-Retry-Until: Mon, 7 Dec 2026 11:02:02 +0000 (UTC)\n' : ''}
--B0undary
Content-Type: text/rfc822-headers

${o.original}
--B0undary--
`);
}

export function gmailHardBounce(o: { to: string; reader: string; original: string }): string {
  return crlf(`Delivered-To: ${o.to}
Return-Path: <>
From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: ${o.to}
Auto-Submitted: auto-replied
Subject: Delivery Status Notification (Failure)
References: <original@daybreak.example>
Date: Mon, 30 Nov 2026 03:14:15 -0800 (PST)
Message-ID: <5f3c.0a@mx.google.com>
MIME-Version: 1.0
Content-Type: multipart/report; boundary="000000000000a1b2c3"; report-type=delivery-status

--000000000000a1b2c3
Content-Type: multipart/related; boundary="000000000000a1b2c4"

--000000000000a1b2c4
Content-Type: multipart/alternative; boundary="000000000000a1b2c5"

--000000000000a1b2c5
Content-Type: text/plain; charset="UTF-8"

** Address not found **

Your message wasn't delivered to ${o.reader} because the address couldn't be found, or is unable to receive mail.

--000000000000a1b2c5
Content-Type: text/html; charset="UTF-8"

<html><body><h1>Address not found</h1></body></html>

--000000000000a1b2c5--
--000000000000a1b2c4--
--000000000000a1b2c3
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.com
Received-From-MTA: dns; news.daybreak.example
Arrival-Date: Mon, 30 Nov 2026 03:14:14 -0800 (PST)
X-Original-Message-ID: <original@daybreak.example>

Final-Recipient: rfc822; ${o.reader}
Action: failed
Status: 5.1.1
Remote-MTA: dns; gmail-smtp-in.l.google.com. (2607:f8b0:4864:20::, the server for the domain gmail.com.)
Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does not exist. Please try
 550-5.1.1 double-checking the recipient's email address for typos or
 550 5.1.1 unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser
Last-Attempt-Date: Mon, 30 Nov 2026 03:14:15 -0800 (PST)

--000000000000a1b2c3
Content-Type: message/rfc822

${o.original}

[the body]

--000000000000a1b2c3--
`);
}

export function outlookHardBounce(o: { to: string; reader: string; original: string }): string {
  return crlf(`From: postmaster@outlook.com
To: ${o.to}
Date: Mon, 30 Nov 2026 11:30:00 +0000
Content-Type: multipart/report; report-type=delivery-status;
	boundary="f2e9c7a4-0d1b-4c2e-9a77-2f1b3c4d5e6f"
Content-Language: en-US
Message-ID: <2f1b3c4d-AM0PR01MB.prod.outlook.com>
Subject: Undeliverable: The Morning Briefing
Auto-Submitted: auto-replied
X-MS-Exchange-Message-Is-Ndr:
MIME-Version: 1.0

--f2e9c7a4-0d1b-4c2e-9a77-2f1b3c4d5e6f
Content-Type: multipart/alternative; differences=Content-Type;
	boundary="c0ffee00-aaaa-bbbb-cccc-ddddeeeeffff"

--c0ffee00-aaaa-bbbb-cccc-ddddeeeeffff
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable

Your message to ${o.reader} couldn't be delivered.
${o.reader.split('@')[0]} wasn't found at outlook.com.

--c0ffee00-aaaa-bbbb-cccc-ddddeeeeffff
Content-Type: text/html; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable

<html><body><p>Your message couldn't be delivered.</p></body></html>

--c0ffee00-aaaa-bbbb-cccc-ddddeeeeffff--

--f2e9c7a4-0d1b-4c2e-9a77-2f1b3c4d5e6f
Content-Type: message/delivery-status

Reporting-MTA: dns;AM0PR01MB1234.eurprd01.prod.outlook.com
Received-From-MTA: dns;news.daybreak.example
Arrival-Date: Mon, 30 Nov 2026 11:29:58 +0000

Final-Recipient: rfc822;${o.reader}
Action: failed
Status: 5.1.10
Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup
X-Display-Name: ${o.reader}

--f2e9c7a4-0d1b-4c2e-9a77-2f1b3c4d5e6f
Content-Type: message/rfc822

${o.original}

[the body]

--f2e9c7a4-0d1b-4c2e-9a77-2f1b3c4d5e6f--
`);
}

/** Yahoo's plain-text bounce: no report, just words, a 554 and a copy of the message below a line. */
export function yahooPlainBounce(o: { to: string; reader: string; original: string }): string {
  return crlf(`From: MAILER-DAEMON@yahoo.com
To: ${o.to}
Subject: Failure Notice
Date: Mon, 30 Nov 2026 11:40:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Sorry, we were unable to deliver your message to the following address.

<${o.reader}>:
554: delivery error: dd This user doesn't have a yahoo.com account (${o.reader}) [0] - mta1012.mail.gq1.yahoo.com

--- Below this line is a copy of the message.

${o.original}
`);
}

/** An ARF complaint (RFC 5965) as Yahoo's and Microsoft's feedback loops send them. */
export function arfComplaint(o: { to: string; reader: string; original: string; returnPath: string; provider: 'yahoo' | 'microsoft' }): string {
  const from = o.provider === 'yahoo' ? 'feedbackloop@yahoo.com' : 'staff@hotmail.com';
  const ua = o.provider === 'yahoo' ? 'Yahoo!-Mail-Feedback/2.0' : 'Microsoft JMRP/1.0';
  return crlf(`From: ${from}
To: ${o.to}
Subject: FW: complaint about a message from news.daybreak.example
Date: Mon, 30 Nov 2026 12:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report;
	boundary="arf_boundary_1"

--arf_boundary_1
Content-Type: text/plain; charset="US-ASCII"
Content-Transfer-Encoding: 7bit

This is an email abuse report for an email message received from IP 192.0.2.25 on Mon, 30 Nov 2026 11:00:00 +0000.

--arf_boundary_1
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: ${ua}
Version: 1
Original-Mail-From: <${o.returnPath}>
Original-Rcpt-To: <${o.reader}>
Arrival-Date: Mon, 30 Nov 2026 11:00:00 +0000
Source-IP: 192.0.2.25
Reported-Domain: daybreak.example

--arf_boundary_1
Content-Type: message/rfc822
Content-Disposition: inline

${o.original}

[the body]
--arf_boundary_1--
`);
}

/** Outlook's out-of-office reply, sent to the envelope sender as RFC 3834 says. */
export function outOfOffice(o: { to: string; reader: string }): string {
  return crlf(`From: Reader <${o.reader}>
To: ${o.to}
Subject: Automatic reply: The Morning Briefing
Date: Mon, 30 Nov 2026 11:05:00 +0000
Auto-Submitted: auto-replied
X-Auto-Response-Suppress: All
Message-ID: <oof.1@outlook.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

I am out of the office until 7 December with no access to email. For anything urgent call 555-0100.
`);
}

/** A reader's own mail to the List-Unsubscribe mailto address (RFC 2369), as a mail client writes it. */
export function unsubscribeMail(o: { to: string; reader: string }): string {
  return crlf(`From: ${o.reader}
To: ${o.to}
Subject: unsubscribe
Date: Mon, 30 Nov 2026 11:10:00 +0000
Message-ID: <unsub.1@mail.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

This message was automatically generated by Gmail.
`);
}
