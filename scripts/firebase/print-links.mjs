// Prints each password-reset link the Firebase Auth emulator "mails", pointed at the pages as
// a project's custom email action handler would point it: the emulator's own link, with its
// host and path replaced by the reset page's. Used by `make serve-firebase`.
//
//   node scripts/firebase/print-links.mjs EMULATOR_ORIGIN PROJECT RESET_PAGE_URL
const [emulator, project, resetPage] = process.argv.slice(2);
const seen = new Set();
for (;;) {
  try {
    const answer = await fetch(`${emulator}/emulator/v1/projects/${project}/oobCodes`);
    for (const { email, requestType, oobCode, oobLink } of (await answer.json()).oobCodes ?? []) {
      if (seen.has(oobCode)) continue;
      seen.add(oobCode);
      if (requestType !== "PASSWORD_RESET") continue;
      const link = `${resetPage}?${new URL(oobLink).searchParams}`;
      console.log(`\n  Reset link for ${email}:\n  ${link}\n`);
    }
  } catch {
    // The emulator is starting or stopping: try again.
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
}
