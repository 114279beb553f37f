"""Who handles work. Today: new chats offered to the online agent with the most free
capacity (chat_offers.py). Queues and routing rules come with the routing issue."""
