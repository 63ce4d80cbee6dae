import nodemailer from "nodemailer";

// Outgoing mail through the operator's SMTP server (SMTP_URL). One transport per URL per process.

const g = globalThis as unknown as { __byokMail?: Map<string, nodemailer.Transporter> };

function transport(smtpUrl: string): nodemailer.Transporter {
  g.__byokMail ??= new Map();
  let t = g.__byokMail.get(smtpUrl);
  if (!t) {
    t = nodemailer.createTransport(smtpUrl);
    g.__byokMail.set(smtpUrl, t);
  }
  return t;
}

export type Mail = { from: string; to: string; subject: string; text: string };

export async function sendMail(smtpUrl: string, mail: Mail): Promise<void> {
  await transport(smtpUrl).sendMail(mail);
}
