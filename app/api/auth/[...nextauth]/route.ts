import type { NextRequest } from "next/server";
import { handlers } from "@/lib/auth";
import { requestIdFrom, withRequestId } from "@/lib/request-id";

// next-auth's own endpoints: its logger's lines (lib/auth/logger.ts) carry the request id too.
export const GET = (req: NextRequest) => withRequestId(requestIdFrom(req.headers), () => handlers.GET(req));
export const POST = (req: NextRequest) => withRequestId(requestIdFrom(req.headers), () => handlers.POST(req));
