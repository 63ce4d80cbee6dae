import { exportUserData } from "@/lib/account/export";
import { requireApiUser } from "@/lib/auth";
import { apiRoute } from "@/lib/http";

// "Export my data": the signed-in user's data as a JSON download (lib/account/export.ts says
// what is in it; never key material). A session whose account is gone gets 401.
export const GET = apiRoute(async () => {
  const user = await requireApiUser();
  const doc = await exportUserData(user.id);
  const day = doc.exportedAt.slice(0, 10);
  return new Response(JSON.stringify(doc, null, 2), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="byok-chat-export-${day}.json"`,
    },
  });
});
