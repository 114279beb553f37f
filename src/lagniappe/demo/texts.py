"""What demo customers write and agents answer, in each customer's own language."""

# ruff: noqa: E501  (one sentence per line reads better than wrapped CJK strings)

from __future__ import annotations

from dataclasses import dataclass

from lagniappe.conversations.models import Priority


@dataclass(frozen=True)
class Topic:
    key: str
    brand: str  # "insurance" or "bank"
    tags: tuple[str, ...]
    priority: int
    complaint: bool
    # language -> (subject, text); {policy} and {account} are filled in per conversation
    texts: dict[str, tuple[str, str]]


# fmt: off
INSURANCE_TOPICS: tuple[Topic, ...] = (
    Topic("claim-status", "insurance", ("claims",), Priority.NORMAL, False, {
        "zh-Hant": ("理賠進度查詢", "您好，我上個月送出的住院理賠申請（保單號碼 {policy}）到現在還沒有消息，想請問目前處理到哪個階段？"),
        "zh-Hans": ("理赔进度查询", "您好，我上个月提交的住院理赔申请（保单号 {policy}）到现在还没有消息，请问目前处理到哪一步了？"),
        "ja": ("保険金請求の進捗について", "お世話になっております。先月提出した入院給付金の請求（証券番号 {policy}）について、まだ連絡がありません。現在の状況を教えていただけますか。"),
        "id": ("Status klaim saya", "Selamat siang, klaim rawat inap yang saya ajukan bulan lalu (polis {policy}) belum ada kabar. Mohon info sudah sampai tahap mana?"),
        "en": ("Where is my claim?", "Hello, I submitted a hospitalisation claim last month (policy {policy}) and haven't heard anything since. Could you tell me where it stands?"),
    }),
    Topic("renewal", "insurance", ("renewal", "policy"), Priority.NORMAL, False, {
        "zh-Hant": ("保單續約問題", "我的汽車保險（保單 {policy}）下個月到期，想了解續約保費會不會調整，另外可以改成月繳嗎？"),
        "zh-Hans": ("保单续保问题", "我的车险（保单 {policy}）下个月到期，想了解续保保费会不会调整，另外能改成按月缴费吗？"),
        "ja": ("自動車保険の更新について", "来月で自動車保険（証券番号 {policy}）が満期になります。更新後の保険料は変わりますか。また、月払いに変更できますか。"),
        "id": ("Perpanjangan polis", "Polis asuransi mobil saya ({policy}) berakhir bulan depan. Apakah preminya naik saat diperpanjang, dan bisakah saya bayar bulanan?"),
        "en": ("Policy renewal", "My car insurance (policy {policy}) expires next month. Will the premium change on renewal, and can I switch to monthly payments?"),
    }),
    Topic("premium-payment", "insurance", ("billing",), Priority.NORMAL, False, {
        "zh-Hant": ("保費扣款失敗", "今天收到通知說保費信用卡扣款失敗，但我的卡片沒有問題，請問要怎麼補繳？"),
        "zh-Hans": ("保费扣款失败", "今天收到通知说保费信用卡扣款失败，但我的卡没有问题，请问怎么补缴？"),
        "ja": ("保険料の引き落としができなかった件", "保険料のクレジットカード引き落としができなかったという通知が届きました。カードには問題がないはずですが、どのように支払えばよいでしょうか。"),
        "id": ("Pembayaran premi gagal", "Saya dapat pemberitahuan bahwa pendebetan premi dari kartu kredit gagal, padahal kartu saya aktif. Bagaimana cara membayarnya?"),
        "en": ("Premium payment failed", "I got a notice that my premium card payment failed, but my card is fine. How do I pay the outstanding amount?"),
    }),
    Topic("travel-cover", "insurance", ("coverage", "policy"), Priority.LOW, False, {
        "zh-Hant": ("出國旅遊保障範圍", "下週要去日本旅行，想確認我的旅平險是否包含班機延誤和海外突發疾病？"),
        "zh-Hans": ("出境旅游保障范围", "下周要去日本旅游，想确认我的旅游险是否包含航班延误和境外突发疾病？"),
        "ja": ("海外旅行保険の補償内容", "来週台湾へ旅行します。加入中の旅行保険で、航空便の遅延や海外での急な病気は補償されますか。"),
        "id": ("Cakupan asuransi perjalanan", "Minggu depan saya ke Jepang. Apakah asuransi perjalanan saya menanggung keterlambatan penerbangan dan sakit mendadak di luar negeri?"),
        "en": ("Travel cover question", "I'm travelling to Japan next week. Does my travel policy cover flight delays and sudden illness abroad?"),
    }),
    Topic("beneficiary", "insurance", ("policy-change",), Priority.NORMAL, False, {
        "zh-Hant": ("變更受益人", "我想把壽險保單 {policy} 的受益人改成我太太，需要準備哪些文件？可以線上辦理嗎？"),
        "zh-Hans": ("变更受益人", "我想把寿险保单 {policy} 的受益人改成我妻子，需要准备哪些材料？可以在线办理吗？"),
        "ja": ("受取人の変更手続き", "生命保険（証券番号 {policy}）の受取人を妻に変更したいのですが、必要な書類を教えてください。オンラインで手続きできますか。"),
        "id": ("Ganti penerima manfaat", "Saya ingin mengganti penerima manfaat polis jiwa {policy} menjadi istri saya. Dokumen apa saja yang diperlukan? Bisa online?"),
        "en": ("Change of beneficiary", "I'd like to change the beneficiary on my life policy {policy} to my wife. What documents do you need, and can I do it online?"),
    }),
    Topic("claim-rejected", "insurance", ("complaint", "claims"), Priority.HIGH, True, {
        "zh-Hant": ("對理賠結果提出申訴", "我的理賠（保單 {policy}）被拒絕了，理由寫得很模糊。我已經繳了八年保費，完全無法接受，請主管處理。"),
        "zh-Hans": ("对理赔结果提出投诉", "我的理赔（保单 {policy}）被拒了，理由写得很含糊。我已经交了八年保费，完全无法接受，请主管处理。"),
        "ja": ("支払い不可の判断への苦情", "保険金（証券番号 {policy}）の支払いが認められませんでしたが、理由の説明が曖昧です。八年間保険料を払ってきたのに納得できません。責任者の方の対応をお願いします。"),
        "id": ("Keluhan penolakan klaim", "Klaim saya (polis {policy}) ditolak dengan alasan yang tidak jelas. Saya sudah bayar premi delapan tahun, ini tidak bisa saya terima. Mohon ditangani atasan."),
        "en": ("Complaint: claim rejected", "My claim on policy {policy} was rejected with a vague explanation. I've paid premiums for eight years and find this unacceptable. Please escalate to a manager."),
    }),
)

BANK_TOPICS: tuple[Topic, ...] = (
    Topic("card-lost", "bank", ("cards",), Priority.URGENT, False, {
        "zh-Hant": ("信用卡遺失", "我的信用卡剛剛在捷運上遺失了，請立刻幫我停卡，並告訴我怎麼補發新卡。"),
        "zh-Hans": ("信用卡丢失", "我的信用卡刚才在地铁上丢了，请马上帮我挂失，并告诉我怎么补办新卡。"),
        "ja": ("カード紛失の連絡", "先ほど電車の中でキャッシュカードを紛失しました。至急利用停止をお願いします。再発行の手続きも教えてください。"),
        "id": ("Kartu hilang", "Kartu debit saya hilang di kereta barusan. Tolong segera diblokir, dan bagaimana cara mengurus kartu baru?"),
        "en": ("Lost card", "I just lost my credit card on the train. Please block it immediately and tell me how to get a replacement."),
    }),
    Topic("transfer-missing", "bank", ("transfers",), Priority.HIGH, False, {
        "zh-Hant": ("跨行轉帳未入帳", "昨天下午從帳戶 {account} 轉帳五萬元到其他銀行，對方到現在還沒收到，但我的帳戶已經扣款了。"),
        "zh-Hans": ("跨行转账未到账", "昨天下午从账户 {account} 跨行转账五万元，对方到现在还没收到，但我的账户已经扣款了。"),
        "ja": ("振込が反映されない", "昨日の午後、口座 {account} から他行へ五万円を振り込みましたが、相手にまだ着金していません。口座からは引き落とされています。"),
        "id": ("Transfer belum masuk", "Kemarin sore saya transfer lima juta rupiah dari rekening {account} ke bank lain, tapi penerima belum menerima dananya padahal saldo saya sudah terpotong."),
        "en": ("Transfer not received", "I sent a transfer from account {account} to another bank yesterday afternoon. The money has left my account but the recipient hasn't received it."),
    }),
    Topic("mortgage", "bank", ("loans",), Priority.NORMAL, False, {
        "zh-Hant": ("房貸利率諮詢", "我們打算明年買房，想了解目前的房貸利率和需要準備的財力證明。"),
        "zh-Hans": ("房贷利率咨询", "我们打算明年买房，想了解目前的房贷利率以及需要准备哪些收入证明。"),
        "ja": ("住宅ローンの金利について", "来年マンションの購入を考えています。現在の住宅ローン金利と、審査に必要な書類を教えてください。"),
        "id": ("Tanya KPR", "Kami berencana membeli rumah tahun depan. Berapa bunga KPR saat ini dan dokumen apa yang perlu disiapkan?"),
        "en": ("Mortgage rates", "We're planning to buy a flat next year. What are your current mortgage rates and what proof of income do you need?"),
    }),
    Topic("online-banking", "bank", ("online-banking",), Priority.NORMAL, False, {
        "zh-Hant": ("網路銀行無法登入", "網銀一直顯示密碼錯誤，手機也收不到簡訊驗證碼，請問該怎麼重設？"),
        "zh-Hans": ("网银无法登录", "网银一直提示密码错误，手机也收不到短信验证码，请问该怎么重置？"),
        "ja": ("ネットバンキングにログインできない", "ネットバンキングでパスワードが違うと表示され、SMSの認証コードも届きません。再設定の方法を教えてください。"),
        "id": ("Tidak bisa login internet banking", "Internet banking saya selalu bilang kata sandi salah dan kode OTP lewat SMS tidak masuk. Bagaimana cara meresetnya?"),
        "en": ("Can't log in to online banking", "Online banking keeps saying my password is wrong and the SMS code never arrives. How can I reset it?"),
    }),
    Topic("account-fee", "bank", ("complaint", "fees"), Priority.HIGH, True, {
        "zh-Hant": ("帳戶管理費申訴", "帳戶 {account} 這個月被收了管理費，但開戶時行員說免收，請退還並說明原因。"),
        "zh-Hans": ("账户管理费投诉", "账户 {account} 这个月被扣了管理费，但开户时工作人员说是免费的，请退还并说明原因。"),
        "ja": ("口座維持手数料についての苦情", "今月、口座 {account} から口座維持手数料が引き落とされていましたが、開設時には無料と説明を受けました。返金と理由の説明をお願いします。"),
        "id": ("Keluhan biaya administrasi", "Bulan ini rekening {account} dikenai biaya administrasi, padahal waktu buka rekening dibilang gratis. Mohon dikembalikan dan dijelaskan."),
        "en": ("Complaint about account fees", "Account {account} was charged a fee this month, but I was told at opening there would be none. Please refund it and explain."),
    }),
    Topic("statements", "bank", ("statements",), Priority.LOW, False, {
        "zh-Hant": ("申請英文對帳單", "申請留學簽證需要最近六個月的英文存款證明和對帳單，請問怎麼申請？"),
        "zh-Hans": ("申请英文对账单", "办理留学签证需要最近六个月的英文存款证明和对账单，请问怎么申请？"),
        "ja": ("英文の残高証明書", "留学ビザの申請に、直近六か月分の英文の残高証明書と取引明細が必要です。申し込み方法を教えてください。"),
        "id": ("Permintaan rekening koran", "Untuk pengajuan visa studi saya butuh rekening koran enam bulan terakhir dalam bahasa Inggris. Bagaimana cara memintanya?"),
        "en": ("Bank statements for a visa", "I need the last six months of statements and a balance certificate in English for a student visa. How do I request them?"),
    }),
)

TOPICS: dict[str, tuple[Topic, ...]] = {"insurance": INSURANCE_TOPICS, "bank": BANK_TOPICS}

FOLLOW_UPS: dict[str, tuple[str, ...]] = {
    "zh-Hant": ("請問有進一步的消息嗎？謝謝。", "補充一下，我的聯絡電話是 {phone}。"),
    "zh-Hans": ("请问有进一步的消息吗？谢谢。", "补充一下，我的联系电话是 {phone}。"),
    "ja": ("その後いかがでしょうか。よろしくお願いいたします。", "補足です。連絡先の電話番号は {phone} です。"),
    "id": ("Apakah sudah ada kabar? Terima kasih.", "Tambahan, nomor telepon saya {phone}."),
    "en": ("Any update on this? Thanks.", "To add: you can reach me on {phone}."),
}

REPLIES: dict[str, tuple[str, ...]] = {
    "zh-Hant": (
        "{name} 您好，感謝您的來信，我們已經收到並開始處理，預計兩個工作天內回覆您。",
        "{name} 您好，已為您確認完畢，相關資料稍後會寄到您的信箱，如有其他問題歡迎隨時聯絡我們。",
    ),
    "zh-Hans": (
        "{name}您好，感谢您的来信，我们已收到并开始处理，预计两个工作日内回复您。",
        "{name}您好，已为您确认完毕，相关资料稍后会发送到您的邮箱，如有其他问题欢迎随时联系我们。",
    ),
    "ja": (
        "{name}様\nお問い合わせいただきありがとうございます。内容を確認のうえ、二営業日以内にご連絡いたします。",
        "{name}様\n確認が完了いたしました。詳細はメールでお送りしましたので、ご確認ください。",
    ),
    "id": (
        "Halo {name}, terima kasih sudah menghubungi kami. Permintaan Anda sedang kami proses dan akan kami kabari dalam dua hari kerja.",
        "Halo {name}, sudah kami cek. Rinciannya kami kirim lewat email; silakan hubungi kami jika ada pertanyaan lain.",
    ),
    "en": (
        "Hi {name}, thanks for getting in touch. We're looking into this and will get back to you within two working days.",
        "Hi {name}, all sorted on our side. We've emailed you the details; let us know if there's anything else.",
    ),
}
# fmt: on
